namespace TenantMigrations.Engine.Commands;

/// <summary>
/// Hands out items that finish in any order in the order their tenants were given, as soon as every earlier
/// tenant is done, so the same fleet always reads the same way while output still streams.
/// </summary>
public sealed class InputOrder<T>(IReadOnlyList<Tenant> tenants)
{
    private readonly Dictionary<string, T> finished = new(StringComparer.OrdinalIgnoreCase);
    private int next;

    /// <summary>Records one tenant's item and returns the items that are now due, in input order.</summary>
    public IReadOnlyList<T> Finished(string tenantName, T item)
    {
        finished[tenantName] = item;
        var due = new List<T>();
        while (next < tenants.Count && finished.Remove(tenants[next].Name, out var ready))
        {
            due.Add(ready);
            next++;
        }
        return due;
    }

    /// <summary>How many tenants' items have been handed out; the host writes the rest from the full result when the work ends.</summary>
    public int Released => next;
}

using System.Collections.Concurrent;

namespace TenantMigrations.Engine.Tenants;

/// <summary>
/// <see cref="ConnectionStringCheck"/> once per distinct connection string: a fleet of schemas shares one string, and
/// building a driver's connection-string builder for each of 10,000 tenants cost more than reading their journals.
/// </summary>
internal sealed class CheckedConnectionStrings(DatabaseEngine engine)
{
    private readonly ConcurrentDictionary<string, string?> problems = new(StringComparer.Ordinal);

    /// <summary>
    /// As <see cref="ConnectionStringCheck.Require"/>, naming the tenant. A string that its tenant source already checked
    /// for this engine (<see cref="TenantSources.FromRow"/>) is not parsed again.
    /// </summary>
    public void Require(Tenant tenant)
    {
        if (tenant.Engine == engine && tenant.IsConnectionStringChecked) return;
        var problem = problems.GetOrAdd(tenant.GetConnectionString(), text => ConnectionStringCheck.ProblemOf(engine, text));
        if (problem is not null) throw new ArgumentException($"Tenant '{tenant.Name}': {problem}");
    }
}

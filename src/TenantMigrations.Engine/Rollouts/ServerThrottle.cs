using System.Collections.Concurrent;
using System.Data.Common;

namespace TenantMigrations.Engine.Rollouts;

/// <summary>
/// Caps the tenants that run at once on one database server (host and port). SQLite tenants have no server and no cap.
/// </summary>
public sealed class ServerThrottle(int perServer)
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> servers = new(StringComparer.OrdinalIgnoreCase);

    public int PerServer { get; } = perServer;

    /// <summary>Waits for a slot on the tenant's server; dispose the result to free it.</summary>
    public async Task<IDisposable> EnterAsync(Tenant tenant, CancellationToken cancellationToken)
    {
        if (ServerOf(tenant) is not { } server) return NoSlot.Instance;
        var semaphore = servers.GetOrAdd(server, _ => new SemaphoreSlim(PerServer, PerServer));
        await semaphore.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Slot(semaphore);
    }

    /// <summary>"host:port" of a PostgreSQL or MySQL tenant (defaults 5432 and 3306), or null for SQLite or an unreadable connection string.</summary>
    public static string? ServerOf(Tenant tenant)
    {
        if (tenant.Engine == DatabaseEngine.Sqlite) return null;
        try
        {
            var builder = new DbConnectionStringBuilder { ConnectionString = tenant.GetConnectionString() };
            var host = Value(builder, "host", "server", "data source", "address", "addr", "network address") ?? "localhost";
            var port = Value(builder, "port") ?? (tenant.Engine == DatabaseEngine.Postgres ? "5432" : "3306");
            return $"{host.Trim()}:{port.Trim()}";
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Tenants reordered so that consecutive ones alternate between servers, so a full server never idles the workers.</summary>
    public static IReadOnlyList<Tenant> Interleave(IReadOnlyList<Tenant> tenants)
    {
        var queues = tenants.GroupBy(t => ServerOf(t) ?? "", StringComparer.OrdinalIgnoreCase).Select(g => new Queue<Tenant>(g)).ToList();
        var result = new List<Tenant>(tenants.Count);
        while (result.Count < tenants.Count)
        {
            foreach (var queue in queues.Where(q => q.Count > 0)) result.Add(queue.Dequeue());
        }
        return result;
    }

    private static string? Value(DbConnectionStringBuilder builder, params string[] keys)
    {
        foreach (var key in keys)
        {
            if (builder.TryGetValue(key, out var value) && Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) is { Length: > 0 } text) return text;
        }
        return null;
    }

    private sealed class Slot(SemaphoreSlim semaphore) : IDisposable
    {
        private int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0) semaphore.Release();
        }
    }

    private sealed class NoSlot : IDisposable
    {
        public static readonly NoSlot Instance = new();

        public void Dispose() { }
    }
}

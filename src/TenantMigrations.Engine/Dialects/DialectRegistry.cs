using TenantMigrations.Engine.Dialects.MySql;
using TenantMigrations.Engine.Dialects.Postgres;
using TenantMigrations.Engine.Dialects.Sqlite;

namespace TenantMigrations.Engine.Dialects;

/// <summary>The dialects a run can use, one per engine.</summary>
public sealed class DialectRegistry
{
    private readonly Dictionary<DatabaseEngine, IDatabaseDialect> dialects;

    public DialectRegistry(IEnumerable<IDatabaseDialect> dialects)
    {
        this.dialects = dialects.ToDictionary(d => d.Engine);
    }

    public static DialectRegistry CreateDefault() => new([new SqliteDialect(), new PostgresDialect(), new MySqlDialect()]);

    public bool Supports(DatabaseEngine engine) => dialects.ContainsKey(engine);

    public IDatabaseDialect For(DatabaseEngine engine) =>
        dialects.TryGetValue(engine, out var dialect) ? dialect : throw new NotSupportedException($"No dialect is registered for engine {engine}.");
}

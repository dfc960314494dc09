using Microsoft.Data.Sqlite;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Provisioning;
using TenantMigrations.TestSupport;

namespace TenantMigrations.Engine.Tests.Provisioning;

/// <summary>Shared steps of the provisioning tests: migration folders, runs, and journal reads.</summary>
internal static class ProvisioningRuns
{
    /// <summary>Writes V1..V<paramref name="count"/> (engine-neutral SQL: a table per version, V1 also a seed row) and returns the folder.</summary>
    public static string WriteMigrations(TempFolder folder, string name, int count)
    {
        var path = folder.Combine(name);
        Directory.CreateDirectory(path);
        File.WriteAllText(Path.Combine(path, "V1__accounts.sql"), "CREATE TABLE accounts (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL);\nINSERT INTO accounts (id, name) VALUES (1, 'seed');\n");
        for (var version = 2; version <= count; version++)
        {
            File.WriteAllText(Path.Combine(path, $"V{version}__table_{version}.sql"), $"CREATE TABLE table_{version} (id INTEGER PRIMARY KEY, note VARCHAR(50));\n");
        }
        return path;
    }

    public static async Task<TenantMigrationResult> MigrateAsync(Tenant tenant, string migrations, bool create = false) =>
        (await MigrateAllAsync([tenant], migrations, create)).Single();

    public static async Task<IReadOnlyList<TenantMigrationResult>> MigrateAllAsync(IReadOnlyList<Tenant> tenants, string migrations, bool create = false)
    {
        var sink = new RecordingSink();
        await new FleetMigrator().MigrateAsync(tenants, MigrationSet.Load(migrations), new MigrateOptions { CreateMissing = create }, sink);
        return sink.Results;
    }

    public static async Task<(IReadOnlyList<TenantMigrationResult> Results, RecordingSink Sink)> ProvisionAsync(IReadOnlyList<Tenant> tenants, string migrations, string? template = null, MigrateOptions? options = null)
    {
        var sink = new RecordingSink();
        await new FleetProvisioner().ProvisionAsync(tenants, MigrationSet.Load(migrations), options ?? new MigrateOptions(), template, sink);
        return (sink.Results, sink);
    }

    public static Tenant Sqlite(string name, string path) => new() { Name = name, Engine = DatabaseEngine.Sqlite, ConnectionString = $"Data Source={path}" };

    public static async Task<List<string>> SqliteJournalAsync(string path)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, Mode = SqliteOpenMode.ReadOnly }.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT kind, coalesce(version, ''), description FROM tenant_migrations_history ORDER BY installed_rank";
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync()) rows.Add($"{reader.GetString(0)} {reader.GetString(1)} {reader.GetString(2)}".Trim());
        return rows;
    }
}

using Microsoft.Data.Sqlite;

namespace TenantMigrations.Engine.Tests.Drift;

/// <summary>Drift on SQLite files: sqlite_schema and the pragma table functions.</summary>
public sealed class SqliteDriftTests : DriftScenarios
{
    protected override Task<IReadOnlyList<Tenant>> CreateTenantsAsync(int count) =>
        Task.FromResult<IReadOnlyList<Tenant>>(Enumerable.Range(1, count)
            .Select(i => new Tenant { Name = $"tenant-{i}", Engine = DatabaseEngine.Sqlite, ConnectionString = $"Data Source={Folder.Combine("data", $"tenant-{i}.db")}" })
            .ToList());

    protected override async Task ExecuteAsync(Tenant tenant, string sql)
    {
        await using var connection = new SqliteConnection(tenant.GetConnectionString() + ";Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>SQLite changes a column's type only by rebuilding the table, as its documentation describes.</summary>
    protected override string ChangeNameTypeSql => """
        PRAGMA foreign_keys = OFF;
        CREATE TABLE customers_new (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(50) NOT NULL);
        INSERT INTO customers_new SELECT id, name FROM customers;
        DROP TABLE customers;
        ALTER TABLE customers_new RENAME TO customers;
        """;

    protected override string ExpectedNameType => "varchar(100)";

    protected override Tenant UnreadableTenant() => new()
    {
        Name = "missing-file",
        Engine = DatabaseEngine.Sqlite,
        ConnectionString = $"Data Source={Folder.Combine("data", "missing-file.db")}",
    };
}

using Microsoft.Data.Sqlite;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.TestSupport;

namespace TenantMigrations.Module.Tests.Support;

/// <summary>A migrations folder and SQLite tenants in a temp folder: real files, no mocks.</summary>
public sealed class SqliteFleet : IDisposable
{
    public TempFolder Folder { get; } = new();

    public string Migrations => Folder.Combine("migrations");

    public void WriteMigration(string fileName, string sql) => Folder.Write(Path.Combine("migrations", fileName), sql);

    public void WriteStandardMigrations()
    {
        WriteMigration("V1__create_customers.sql", "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL);");
        WriteMigration("V2__create_orders.sql", "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL);");
    }

    public MigrationSet Load() => MigrationSet.Load(Migrations);

    public string DatabasePath(string name) => Folder.Combine("data", name + ".db");

    public Tenant Tenant(string name, IReadOnlyDictionary<string, string>? properties = null) => new()
    {
        Name = name,
        Engine = DatabaseEngine.Sqlite,
        ConnectionString = $"Data Source={DatabasePath(name)}",
        Properties = new Dictionary<string, string>(properties ?? new Dictionary<string, string>(), StringComparer.OrdinalIgnoreCase),
    };

    public IReadOnlyList<Tenant> Tenants(params string[] names) => names.Select(n => Tenant(n)).ToList();

    public void Execute(string name, string sql)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath(name))!);
        using var connection = Open(name);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public bool TableExists(string name, string table)
    {
        if (!File.Exists(DatabasePath(name))) return false;
        using var connection = Open(name);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $name";
        command.Parameters.AddWithValue("$name", table);
        return Convert.ToInt64(command.ExecuteScalar()) > 0;
    }

    /// <summary>(version, state, checksum) of each journal row, oldest first.</summary>
    public IReadOnlyList<(string? Version, string State, string? Checksum)> Journal(string name)
    {
        using var connection = Open(name);
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT version, state, checksum FROM {MigrationSettings.DefaultJournalTable} ORDER BY installed_rank";
        using var reader = command.ExecuteReader();
        var rows = new List<(string?, string, string?)>();
        while (reader.Read()) rows.Add((reader.IsDBNull(0) ? null : reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
        return rows;
    }

    private SqliteConnection Open(string name)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath(name), Pooling = false }.ConnectionString);
        connection.Open();
        return connection;
    }

    public void Dispose() => Folder.Dispose();
}

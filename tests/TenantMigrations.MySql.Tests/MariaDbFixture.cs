using TenantMigrations.MySql;
using TenantMigrations.TestSupport;

namespace TenantMigrations.MySql.Tests;

/// <summary>One private MariaDB server for the whole test assembly.</summary>
public sealed class MariaDbFixture : IAsyncLifetime
{
    public const string DatabaseName = "tm_mysql_tests";

    public MariaDbServer Server { get; private set; } = null!;

    public string ConnectionString => Server.ConnectionStringFor(DatabaseName);

    public async Task InitializeAsync()
    {
        Server = await MariaDbServer.StartAsync();
        await Server.CreateDatabaseAsync(DatabaseName);
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();

    public MySqlConnection OpenConnection(string? connectionString = null)
    {
        var connection = new MySqlConnection(connectionString ?? ConnectionString);
        connection.Open();
        return connection;
    }

    public async Task<MySqlConnection> OpenConnectionAsync(string? connectionString = null)
    {
        var connection = new MySqlConnection(connectionString ?? ConnectionString);
        await connection.OpenAsync();
        return connection;
    }
}

[CollectionDefinition(Name)]
public sealed class MariaDbCollection : ICollectionFixture<MariaDbFixture>
{
    public const string Name = "MariaDB";
}

internal static class TestSql
{
    public static object? Scalar(this MySqlConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return command.ExecuteScalar();
    }

    public static int Execute(this MySqlConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return command.ExecuteNonQuery();
    }
}

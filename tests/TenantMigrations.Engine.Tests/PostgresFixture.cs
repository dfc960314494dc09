using Npgsql;
using TenantMigrations.TestSupport;

namespace TenantMigrations.Engine.Tests;

/// <summary>One private PostgreSQL server for every PostgreSQL test in this assembly.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private int databases;

    public PostgresServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await PostgresServer.StartAsync();

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await Server.DisposeAsync();
    }

    /// <summary>A new database, so tests never see each other's schemas.</summary>
    public Task<string> NewDatabaseAsync(string prefix = "fleet") =>
        Server.CreateDatabaseAsync($"{prefix}_{Interlocked.Increment(ref databases)}_{Guid.NewGuid().ToString("N")[..6]}");
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "postgres";
}

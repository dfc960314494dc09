using Npgsql;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Commands;
using TenantMigrations.Module.Tests.Support;
using TenantMigrations.TestSupport;

namespace TenantMigrations.Module.Tests;

/// <summary>The sample migrations on discovered PostgreSQL schemas, which carry no properties, on a real server.</summary>
public sealed class SamplePostgresTests : IAsyncLifetime
{
    private readonly TempFolder folder = new();
    private PostgresServer server = null!;

    public async Task InitializeAsync() => server = await PostgresServer.StartAsync();

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await server.DisposeAsync();
        folder.Dispose();
    }

    [Fact]
    public async Task The_sample_migrations_run_on_discovered_schemas_with_the_settings_default_plan()
    {
        SampleFleetTests.CopySamples(folder);
        var database = "samples_" + Guid.NewGuid().ToString("N")[..8];
        var connectionString = await server.CreateDatabaseAsync(database);
        await server.ExecuteAsync("CREATE SCHEMA tenant_acme; CREATE SCHEMA tenant_globex; CREATE SCHEMA other;", database);
        var tenants = await new TenantQuery { Source = TenantSourceKind.PostgresSchemas, Location = connectionString, SchemaLike = "tenant_%" }.RunAsync(folder.Path);
        var set = MigrationFolders.Load("samples/migrations", folder.Path);
        var host = new FakeHost();
        var migrate = new TenantMigrationCommand(set, new MigrateOptions { CreateMissing = true });
        foreach (var tenant in tenants) migrate.Add(tenant, host);

        var summary = migrate.Run(host);

        Assert.Empty(host.Errors);
        Assert.Equal(2, summary.Succeeded);
        Assert.Equal("standard", await server.ExecuteAsync("SELECT setting_value FROM tenant_acme.tenant_settings WHERE setting_key = 'plan'", database));
        Assert.Equal("tenant_globex", await server.ExecuteAsync("SELECT setting_value FROM tenant_globex.tenant_settings WHERE setting_key = 'tenant'", database));
    }
}

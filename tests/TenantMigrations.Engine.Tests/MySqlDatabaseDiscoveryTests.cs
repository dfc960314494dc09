using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Tenants;
using TenantMigrations.TestSupport;

namespace TenantMigrations.Engine.Tests;

[Collection(MariaDbCollection.Name)]
public sealed class MySqlDatabaseDiscoveryTests(MariaDbFixture mariadb) : IDisposable
{
    private readonly TempFolder folder = new();
    private readonly string prefix = "disc" + Guid.NewGuid().ToString("N")[..8];

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task Discovery_finds_one_tenant_per_matching_database_and_never_a_system_database()
    {
        await mariadb.Server.CreateDatabaseAsync($"{prefix}_a");
        await mariadb.Server.CreateDatabaseAsync($"{prefix}_b");
        await mariadb.Server.CreateDatabaseAsync($"other_{prefix}");
        folder.Write("migrations/V1__base.sql", "CREATE TABLE base (id INT);");

        var tenants = await DatabaseDiscovery.FromMySqlAsync(mariadb.Server.ConnectionString, $"{prefix}%");
        var everything = await DatabaseDiscovery.FromMySqlAsync(mariadb.Server.AdminConnectionString, "%");
        var summary = await new FleetMigrator().MigrateAsync(tenants, MigrationSet.Load(folder.Combine("migrations")), new MigrateOptions(), new RecordingSink());

        Assert.Equal([$"{prefix}_a", $"{prefix}_b"], tenants.Select(t => t.Name));
        Assert.All(tenants, t => Assert.Equal(t.Name, new MySql.MySqlConnectionStringBuilder { ConnectionString = t.GetConnectionString() }.Database));
        Assert.Equal(2, summary.Succeeded);
        Assert.DoesNotContain(everything, t => t.Name is "mysql" or "information_schema" or "performance_schema" or "sys");
        Assert.Contains(everything, t => t.Name == $"other_{prefix}");
    }

    [Fact]
    public async Task The_like_pattern_is_a_parameter_not_sql_text()
    {
        await mariadb.Server.CreateDatabaseAsync($"{prefix}_a");

        var tenants = await DatabaseDiscovery.FromMySqlAsync(mariadb.Server.ConnectionString, "x' OR '1'='1");

        Assert.Empty(tenants);
    }
}

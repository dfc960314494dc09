using TenantMigrations.Engine.Schema.Catalog;
using TenantMigrations.MySql;
using TenantMigrations.TestSupport;

namespace TenantMigrations.Engine.Tests.Drift;

/// <summary>Drift on MariaDB with one database per tenant: one information_schema batch per server.</summary>
[Collection(MariaDbCollection.Name)]
public sealed class MySqlDriftTests(MariaDbFixture mariadb) : DriftScenarios
{
    protected override async Task<IReadOnlyList<Tenant>> CreateTenantsAsync(int count)
    {
        var tenants = new List<Tenant>();
        for (var i = 0; i < count; i++)
        {
            var database = await mariadb.NewDatabaseAsync("drift");
            tenants.Add(new Tenant { Name = database, Engine = DatabaseEngine.MySql, ConnectionString = mariadb.Server.ConnectionStringFor(database) });
        }
        return tenants;
    }

    protected override async Task ExecuteAsync(Tenant tenant, string sql)
    {
        await using var connection = MySqlDriver.CreateConnection(tenant.GetConnectionString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    protected override string ChangeNameTypeSql => "ALTER TABLE customers MODIFY COLUMN name VARCHAR(50) NOT NULL";

    protected override string ExpectedNameType => "varchar(100)";

    protected override Tenant UnreadableTenant() => new()
    {
        Name = "nowhere",
        Engine = DatabaseEngine.MySql,
        ConnectionString = $"Server=127.0.0.1;Port={PostgresServer.FreePort()};User ID=root;Password=unreachable-Secr3t;Database=nowhere;Connection Timeout=2",
    };

    [Fact]
    public async Task Databases_on_one_server_are_read_with_one_query_set()
    {
        WriteSchemaMigration();
        var tenants = await CreateTenantsAsync(6);
        await MigrateAsync(tenants);
        var catalog = new SchemaCatalog();

        var (report, host) = Check(tenants, tenants[0].Name, catalog: catalog);

        Assert.Empty(host.Errors);
        Assert.Equal(6, Assert.Single(catalog.Batches).Tenants);
        Assert.All(report.Checks, c => Assert.Equal(SchemaCheckStatus.InSync, c.Status));
    }
}

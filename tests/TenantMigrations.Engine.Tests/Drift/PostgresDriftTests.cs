using Npgsql;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Schema.Catalog;
using TenantMigrations.TestSupport;

namespace TenantMigrations.Engine.Tests.Drift;

/// <summary>Drift on PostgreSQL with one schema per tenant, and the batching that makes 1,000 schemas cheap.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresDriftTests(PostgresFixture postgres) : DriftScenarios
{
    protected override async Task<IReadOnlyList<Tenant>> CreateTenantsAsync(int count) => Tenants(await postgres.NewDatabaseAsync("drift"), count);

    private static List<Tenant> Tenants(string connectionString, int count) =>
        Enumerable.Range(1, count).Select(i => new Tenant { Name = $"tenant_{i:000}", Engine = DatabaseEngine.Postgres, ConnectionString = connectionString, Schema = $"tenant_{i:000}" }).ToList();

    protected override async Task ExecuteAsync(Tenant tenant, string sql)
    {
        await using var connection = new NpgsqlConnection(tenant.GetConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SET search_path TO \"{tenant.Schema}\"; {sql}", connection);
        await command.ExecuteNonQueryAsync();
    }

    protected override string ChangeNameTypeSql => "ALTER TABLE customers ALTER COLUMN name TYPE varchar(50)";

    protected override string ExpectedNameType => "character varying(100)";

    protected override Tenant UnreadableTenant() => new()
    {
        Name = "nowhere",
        Engine = DatabaseEngine.Postgres,
        ConnectionString = $"Host=127.0.0.1;Port={PostgresServer.FreePort()};Username=postgres;Password=unreachable-Secr3t;Timeout=2",
        Schema = "nowhere",
    };

    [Fact]
    public async Task Two_hundred_schemas_with_three_kinds_of_drift_group_into_three_classes_read_with_one_query_set()
    {
        WriteSchemaMigration();
        await using var proxy = new ConnectionCountingProxy(new NpgsqlConnectionStringBuilder(postgres.Server.AdminConnectionString).Port);
        var database = new NpgsqlConnectionStringBuilder(await postgres.NewDatabaseAsync("drift200")) { Port = proxy.Port, Pooling = false };
        var tenants = Tenants(database.ConnectionString, 200);
        await MigrateAsync(tenants);
        var script = new System.Text.StringBuilder();
        for (var i = 1; i <= 40; i++) script.Append($"CREATE INDEX ix_tmp ON \"{tenants[i].Schema}\".orders (note);");
        for (var i = 41; i <= 45; i++) script.Append($"ALTER TABLE \"{tenants[i].Schema}\".customers ALTER COLUMN name TYPE varchar(32);");
        for (var i = 46; i <= 47; i++) script.Append($"ALTER TABLE \"{tenants[i].Schema}\".orders DROP COLUMN total;");
        await ExecuteAsync(tenants[0], script.ToString());

        var statusOnly = proxy.Connections;
        await new FleetMigrator().GetStatusAsync(tenants, MigrationSet.Load(Migrations), new Planning.PlanOptions(), throttleLimit: 4);
        var forStatus = proxy.Connections - statusOnly;
        var catalog = new SchemaCatalog();
        var before = proxy.Connections;
        var (report, host) = Check(tenants, tenants[0].Name, summary: true, catalog: catalog);
        var forDrift = proxy.Connections - before;

        Assert.Empty(host.Errors);
        var batch = Assert.Single(catalog.Batches);
        Assert.Equal(200, batch.Tenants);
        Assert.Equal(forStatus + 1, forDrift);

        var classes = host.Objects.Cast<SchemaDriftClass>().ToList();
        Assert.Equal(
            [
                (SchemaCheckStatus.Drifted, 40, "extra index ix_tmp on orders"),
                (SchemaCheckStatus.Drifted, 5, "column customers.name is character varying(32), expected character varying(100)"),
                (SchemaCheckStatus.Drifted, 2, "missing column orders.total"),
                (SchemaCheckStatus.InSync, 153, "in sync"),
            ],
            classes.Select(c => (c.Status, c.Count, c.Description)));
        Assert.Equal(tenants.Skip(1).Take(40).Select(t => t.Name), classes[0].Tenants);
        Assert.Equal(3, report.Checks.Select(c => c.DriftClass).Distinct().Count(c => c != "in sync"));
    }

    [Fact]
    public async Task Defaults_and_views_that_name_the_tenant_schema_do_not_read_as_drift()
    {
        Folder.Write(Path.Combine("migrations", "V1__serial.sql"), "CREATE TABLE things (id serial PRIMARY KEY, label text UNIQUE);\nCREATE VIEW thing_labels AS SELECT label FROM things;");
        var tenants = await CreateTenantsAsync(2);
        await MigrateAsync(tenants);

        var (report, host) = Check(tenants, tenants[0].Name);

        Assert.Empty(host.Errors);
        Assert.All(report.Checks, c => Assert.Equal(SchemaCheckStatus.InSync, c.Status));
        await ExecuteAsync(tenants[1], "ALTER TABLE things DROP CONSTRAINT things_label_key");
        var unique = Assert.Single(Check(tenants, tenants[0].Name).Report.Checks[1].Differences);
        Assert.Equal((SchemaDifferenceKind.Missing, SchemaObjectType.UniqueConstraint, "things.things_label_key"), (unique.Kind, unique.ObjectType, unique.Name));
    }
}

using TenantMigrations.TestSupport;

namespace TenantMigrations.Cli.Tests;

/// <summary>tenantmigrations drift as a process: exit codes, the table and JSON outputs, and the suggested scripts.</summary>
public sealed class SqliteDriftCliTests : IDisposable
{
    private readonly TempFolder temp = new();

    public SqliteDriftCliTests()
    {
        temp.Write("migrations/V1__shop.sql", "CREATE TABLE orders (id INTEGER PRIMARY KEY, note TEXT, total INTEGER DEFAULT 0);\n");
        temp.Write("tenants.json", """
            [
              {"name": "acme", "engine": "sqlite", "connectionString": "Data Source=dbs/acme.db"},
              {"name": "globex", "engine": "sqlite", "connectionString": "Data Source=dbs/globex.db"},
              {"name": "initech", "engine": "sqlite", "connectionString": "Data Source=dbs/initech.db"}
            ]
            """);
    }

    public void Dispose() => temp.Dispose();

    private Task<CliResult> Run(params string[] args) => CliRunner.RunAsync(temp.Path, args);

    [Fact]
    public async Task Drift_exits_0_in_sync_and_1_with_drift_grouped_into_classes_with_suggestions()
    {
        var migrate = await Run("migrate", "--create", "--tenants", "tenants.json");
        Assert.True(migrate.ExitCode == 0, migrate.ToString());

        var clean = await Run("drift", "--tenants", "tenants.json", "--reference-tenant", "acme");
        Assert.True(clean.ExitCode == 0, clean.ToString());
        Assert.Matches(@"globex\s+Sqlite\s+InSync\s+1", clean.Stdout);
        Assert.Contains("3 tenants: 3 in sync, 0 drifted", clean.Stdout);

        SqliteFile.Execute(temp.Combine("dbs", "globex.db"), "CREATE INDEX ix_tmp ON orders (note)");
        SqliteFile.Execute(temp.Combine("dbs", "initech.db"), "CREATE INDEX ix_tmp ON orders (note)");
        var drifted = await Run("drift", "--tenants", "tenants.json", "--reference-tenant", "acme", "--suggest-dir", "suggestions");
        Assert.True(drifted.ExitCode == 1, drifted.ToString());
        Assert.Matches(@"initech\s+Sqlite\s+Drifted\s+1\s+extra index ix_tmp on orders", drifted.Stdout);
        Assert.Matches(@"2 tenants: extra index ix_tmp on orders", drifted.Stdout);
        var script = await File.ReadAllTextAsync(temp.Combine("suggestions", "drift-class-01-sqlite.sql"));
        Assert.StartsWith("-- SUGGESTION, review before running.", script);
        Assert.Contains("DROP INDEX \"ix_tmp\";", script);
        Assert.Contains("globex, initech", script);

        var json = await Run("drift", "--tenants", "tenants.json", "--reference-tenant", "acme", "--json", "--summary");
        Assert.Equal(1, json.ExitCode);
        Assert.Empty(json.Json("drift"));
        var driftClass = json.Json("driftClass")[0];
        Assert.Equal(2, driftClass.GetProperty("count").GetInt32());
        Assert.Equal("Extra", driftClass.GetProperty("differences")[0].GetProperty("kind").GetString());
        Assert.Equal("orders.ix_tmp", driftClass.GetProperty("differences")[0].GetProperty("name").GetString());
        Assert.Equal(2, Assert.Single(json.Json("summary")).GetProperty("drifted").GetInt32());
    }

    [Fact]
    public async Task A_reference_tenant_outside_the_selection_is_a_usage_error_naming_it()
    {
        var migrate = await Run("migrate", "--create", "--tenants", "tenants.json");
        Assert.True(migrate.ExitCode == 0, migrate.ToString());

        var run = await Run("drift", "--tenants", "tenants.json", "--reference-tenant", "umbrella");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("'umbrella' is not among the 3 tenant(s)", run.Stderr);
    }
}

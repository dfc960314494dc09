using TenantMigrations.TestSupport;

namespace TenantMigrations.Cli.Tests;

/// <summary>tenantmigrations provision and migrate --create as a process, over SQLite files.</summary>
public sealed class ProvisionCliTests : IDisposable
{
    private readonly TempFolder temp = new();

    public ProvisionCliTests()
    {
        temp.Write("migrations/V1__create_users.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\nINSERT INTO users (id, name) VALUES (1, 'seed');\n");
        temp.Write("migrations/V2__create_orders.sql", "CREATE TABLE orders (id INTEGER PRIMARY KEY);\n");
        temp.Write("tenants.json", """
            [
              {"name": "acme", "engine": "sqlite", "connectionString": "Data Source=dbs/acme.db"},
              {"name": "globex", "engine": "sqlite", "connectionString": "Data Source=dbs/globex.db"}
            ]
            """);
    }

    public void Dispose() => temp.Dispose();

    private Task<CliResult> Run(params string[] args) => CliRunner.RunAsync(temp.Path, args);

    [Fact]
    public async Task Migrate_without_create_fails_missing_tenants_and_creates_no_file()
    {
        var run = await Run("migrate", "--tenants", "tenants.json", "--json");

        Assert.Equal(1, run.ExitCode);
        var acme = run.Result("acme");
        Assert.Equal("TenantNotFound", acme.GetProperty("error").GetProperty("errorId").GetString());
        Assert.Contains("not found; use New-Tenant or --create", acme.GetProperty("error").GetProperty("message").GetString());
        Assert.False(Directory.Exists(temp.Combine("dbs")));
    }

    [Fact]
    public async Task Provision_creates_and_migrates_then_reports_existing_tenants_up_to_date()
    {
        var first = await Run("provision", "--tenants", "tenants.json", "--json");
        var second = await Run("provision", "--tenants", "tenants.json");

        Assert.True(first.ExitCode == 0, first.ToString());
        foreach (var tenant in new[] { "acme", "globex" })
        {
            var result = first.Result(tenant);
            Assert.True(result.GetProperty("created").GetBoolean());
            Assert.Equal(2, result.GetProperty("applied").GetArrayLength());
            Assert.Contains("orders", SqliteFile.Tables(temp.Combine("dbs", tenant + ".db")));
        }
        Assert.Equal(2, first.Json("summary").Single().GetProperty("created").GetInt32());
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("2 tenants: 0 created, 2 up to date", second.Stdout);
    }

    [Fact]
    public async Task Provision_of_one_named_tenant_from_a_template_file()
    {
        Assert.Equal(0, (await Run("provision", "--name", "template", "--engine", "sqlite", "--connection", "Data Source=dbs/template.db", "--target", "1")).ExitCode);

        var run = await Run("provision", "--name", "initech", "--engine", "sqlite", "--connection", "Data Source=dbs/initech.db", "--template", "template");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("created from template template, applied 1", run.Stdout);
        Assert.Equal([("1", "succeeded"), ("1", "succeeded"), ("2", "succeeded")], SqliteFile.Journal(temp.Combine("dbs", "initech.db")));
    }

    [Fact]
    public async Task Provision_dry_run_creates_nothing()
    {
        var run = await Run("provision", "--tenants", "tenants.json", "--dry-run");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("would apply 2", run.Stdout);
        Assert.False(File.Exists(temp.Combine("dbs", "acme.db")));
    }

    [Fact]
    public async Task A_new_tenant_needs_exactly_one_plain_name()
    {
        var run = await Run("provision", "--name", "a*", "--connection", "Data Source=x.db");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("exactly one --name", run.Stderr);
    }
}

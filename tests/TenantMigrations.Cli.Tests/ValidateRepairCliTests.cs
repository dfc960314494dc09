using TenantMigrations.TestSupport;

namespace TenantMigrations.Cli.Tests;

/// <summary>validate and repair as processes over SQLite tenants: exit codes, what they print, what they leave in the journals.</summary>
public sealed class ValidateRepairCliTests : IDisposable
{
    private const string BrokenV3 = "-- tm:transaction=false\nCREATE TABLE audit (id INTEGER PRIMARY KEY);\nINSERT INTO nowhere VALUES (1);\n";
    private const string FixedV3 = "-- tm:transaction=false\nCREATE TABLE audit (id INTEGER PRIMARY KEY);\n";
    private readonly TempFolder temp = new();

    public ValidateRepairCliTests()
    {
        temp.Write("migrations/V1__create_users.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n");
        temp.Write("migrations/V2__create_orders.sql", "CREATE TABLE orders (id INTEGER PRIMARY KEY);\n");
        temp.Write("tenants.json", """
            [
              {"name": "acme", "engine": "sqlite", "connectionString": "Data Source=dbs/acme.db"},
              {"name": "globex", "engine": "sqlite", "connectionString": "Data Source=dbs/globex.db"}
            ]
            """);
    }

    public void Dispose() => temp.Dispose();

    private string Db(string tenant) => temp.Combine("dbs", tenant + ".db");

    private Task<CliResult> Run(params string[] args) => CliRunner.RunAsync(temp.Path, args);

    [Fact]
    public async Task Validate_exits_0_for_a_clean_fleet()
    {
        Assert.Equal(0, (await Run("migrate", "--create", "--tenants", "tenants.json")).ExitCode);

        var text = await Run("validate", "--tenants", "tenants.json");
        var json = await Run("validate", "--tenants", "tenants.json", "--json");

        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Matches(@"(?m)^acme\s+Sqlite\s+UpToDate\s+0\s+passed", text.Stdout);
        Assert.Matches(@"(?m)^globex\s+Sqlite\s+UpToDate\s+0\s+passed", text.Stdout);
        Assert.Contains("2 tenants: 2 passed, 0 failed", text.Stdout, StringComparison.Ordinal);
        Assert.True(json.ExitCode == 0, json.ToString());
        Assert.All(json.Json("validate"), r => Assert.True(r.GetProperty("passed").GetBoolean()));
        Assert.Equal(2, json.Json("validate").Count);
    }

    [Fact]
    public async Task Validate_exits_1_naming_the_tenant_and_version_of_an_edited_file_and_changes_nothing()
    {
        Assert.Equal(0, (await Run("migrate", "--create", "--tenants", "tenants.json", "--name", "acme")).ExitCode);
        temp.Write("migrations/V1__create_users.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT);\n");
        var before = File.ReadAllBytes(Db("acme"));

        var text = await Run("validate", "--tenants", "tenants.json");
        var json = await Run("validate", "--tenants", "tenants.json", "--json");

        Assert.True(text.ExitCode == 1, text.ToString());
        var acmeLine = Assert.Single(text.Stdout.Split('\n'), l => l.StartsWith("acme", StringComparison.Ordinal));
        Assert.Contains("FAILED", acmeLine, StringComparison.Ordinal);
        Assert.Matches(@"\b1\b.*checksum|checksum.*\b1\b", acmeLine);
        Assert.Matches(@"(?m)^globex\s+Sqlite\s+Pending\s+2\s+passed", text.Stdout);
        Assert.True(json.ExitCode == 1, json.ToString());
        var acme = json.Json("validate").Single(r => r.GetProperty("tenant").GetString() == "acme");
        Assert.False(acme.GetProperty("passed").GetBoolean());
        Assert.Equal("Drifted", acme.GetProperty("state").GetString());
        Assert.Contains(acme.GetProperty("problems").EnumerateArray(), p => p.GetString()!.Contains("checksum", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(before, File.ReadAllBytes(Db("acme")));
        Assert.False(File.Exists(Db("globex")), "validate must not create a tenant");
    }

    [Fact]
    public async Task Validate_exits_2_for_a_missing_migrations_folder()
    {
        var run = await Run("validate", "--tenants", "tenants.json", "--migrations", "nowhere");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("nowhere", run.Stderr, StringComparison.Ordinal);
    }

    private async Task FailV3OnAcmeThenFixIt()
    {
        temp.Write("migrations/V3__create_audit.sql", BrokenV3);
        Assert.Equal(1, (await Run("migrate", "--create", "--tenants", "tenants.json", "--name", "acme")).ExitCode);
        Assert.Equal([("1", "succeeded"), ("2", "succeeded"), ("3", "failed")], SqliteFile.Journal(Db("acme")));
        SqliteFile.Execute(Db("acme"), "DROP TABLE audit");
        temp.Write("migrations/V3__create_audit.sql", FixedV3);
    }

    [Fact]
    public async Task Repair_dry_run_prints_the_plan_and_yes_applies_it()
    {
        await FailV3OnAcmeThenFixIt();
        var before = File.ReadAllBytes(Db("acme"));

        var dryRun = await Run("repair", "--tenants", "tenants.json", "--name", "acme", "--dry-run");

        Assert.True(dryRun.ExitCode == 0, dryRun.ToString());
        var plan = Assert.Single(dryRun.Stdout.Split('\n'), l => l.StartsWith("acme:", StringComparison.Ordinal));
        Assert.Contains("remove failed journal rows of 3", plan, StringComparison.Ordinal);
        Assert.Contains("nothing changed", dryRun.Stdout, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(Db("acme")));

        var repair = await Run("repair", "--tenants", "tenants.json", "--name", "acme", "--yes");

        Assert.True(repair.ExitCode == 0, repair.ToString());
        Assert.Contains(plan, repair.Stdout.Split('\n'));
        Assert.Contains("acme: Failed -> Pending: removed failed 3", repair.Stdout, StringComparison.Ordinal);
        Assert.Equal([("1", "succeeded"), ("2", "succeeded")], SqliteFile.Journal(Db("acme")));
        var status = await Run("status", "--tenants", "tenants.json", "--name", "acme", "--json");
        Assert.Equal("Pending", Assert.Single(status.Json("status")).GetProperty("state").GetString());
        Assert.Equal(0, (await Run("migrate", "--create", "--tenants", "tenants.json", "--name", "acme")).ExitCode);
        Assert.Contains("audit", SqliteFile.Tables(Db("acme")));
    }

    [Fact]
    public async Task Repair_json_reports_the_plan_and_the_change_per_tenant()
    {
        await FailV3OnAcmeThenFixIt();
        Assert.Equal(0, (await Run("migrate", "--create", "--tenants", "tenants.json", "--name", "globex", "--target", "2")).ExitCode);

        var repair = await Run("repair", "--tenants", "tenants.json", "--yes", "--json");

        Assert.True(repair.ExitCode == 0, repair.ToString());
        var plan = Assert.Single(repair.Json("plan"));
        Assert.Equal("acme", plan.GetProperty("tenant").GetString());
        var acme = repair.Json("repair").Single(r => r.GetProperty("tenant").GetString() == "acme");
        Assert.Equal(["3"], acme.GetProperty("removedFailed").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal("Failed", acme.GetProperty("stateBefore").GetString());
        Assert.Equal("Pending", acme.GetProperty("stateAfter").GetString());
        var globex = repair.Json("repair").Single(r => r.GetProperty("tenant").GetString() == "globex");
        Assert.False(globex.GetProperty("changed").GetBoolean());
        var summary = Assert.Single(repair.Json("summary"));
        Assert.Equal(1, summary.GetProperty("repaired").GetInt32());
    }

    [Fact]
    public async Task Repair_without_yes_or_dry_run_refuses_and_changes_nothing()
    {
        await FailV3OnAcmeThenFixIt();
        var before = File.ReadAllBytes(Db("acme"));

        var run = await Run("repair", "--tenants", "tenants.json");
        var both = await Run("repair", "--tenants", "tenants.json", "--yes", "--dry-run");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("--yes", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("--dry-run", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, both.ExitCode);
        Assert.Equal(before, File.ReadAllBytes(Db("acme")));
        Assert.Equal([("1", "succeeded"), ("2", "succeeded"), ("3", "failed")], SqliteFile.Journal(Db("acme")));
    }
}

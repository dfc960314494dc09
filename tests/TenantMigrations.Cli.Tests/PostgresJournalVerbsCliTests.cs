using TenantMigrations.TestSupport;

namespace TenantMigrations.Cli.Tests;

/// <summary>validate, history and repair against PostgreSQL schema-per-tenant, never printing the password.</summary>
public sealed class PostgresJournalVerbsCliTests(PostgresFixture pg) : IClassFixture<PostgresFixture>, IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    private async Task<CliResult> Run(params string[] args)
    {
        var run = await CliRunner.RunAsync(temp.Path, args);
        foreach (var secret in pg.Secrets)
        {
            Assert.False(run.All.Contains(secret, StringComparison.Ordinal), $"password in the output:\n{run}");
        }
        return run;
    }

    [Fact]
    public async Task A_failed_tenant_is_reported_by_validate_and_history_then_repaired()
    {
        var database = "verbs_" + Guid.NewGuid().ToString("N")[..10];
        var connection = await pg.Server.CreateDatabaseAsync(database);
        await pg.Server.ExecuteAsync("CREATE SCHEMA tenant_a; CREATE SCHEMA tenant_b; CREATE TABLE tenant_b.orders (x int);", database);
        temp.Write("migrations/V1__create_users.sql", "CREATE TABLE users (id int PRIMARY KEY);\n");
        temp.Write("migrations/V2__create_orders.sql", "CREATE TABLE orders (id int PRIMARY KEY);\n");
        string[] fleet = ["--pg", connection, "--schema-like", "tenant_%"];
        Assert.Equal(1, (await Run(["migrate", .. fleet])).ExitCode);

        var validate = await Run(["validate", .. fleet, "--json"]);
        var history = await Run(["history", .. fleet, "--state", "failed", "--json"]);
        var dryRun = await Run(["repair", .. fleet, "--dry-run"]);

        Assert.True(validate.ExitCode == 1, validate.ToString());
        var b = validate.Json("validate").Single(r => r.GetProperty("tenant").GetString() == "tenant_b");
        Assert.False(b.GetProperty("passed").GetBoolean());
        Assert.Contains(b.GetProperty("problems").EnumerateArray(), p => p.GetString() == "2: failed");
        Assert.True(validate.Json("validate").Single(r => r.GetProperty("tenant").GetString() == "tenant_a").GetProperty("passed").GetBoolean());
        Assert.True(history.ExitCode == 0, history.ToString());
        var failed = Assert.Single(history.Json("history"));
        Assert.Equal("tenant_b", failed.GetProperty("tenant").GetString());
        Assert.Equal("2", failed.GetProperty("version").GetString());
        Assert.Contains("orders", failed.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.True(dryRun.ExitCode == 0, dryRun.ToString());
        Assert.Contains("tenant_b: Repair the journal: remove failed journal rows of 2", dryRun.Stdout, StringComparison.Ordinal);
        Assert.Equal(1, (await Run(["validate", .. fleet])).ExitCode);

        await pg.Server.ExecuteAsync("DROP TABLE tenant_b.orders;", database);
        var repair = await Run(["repair", .. fleet, "--yes"]);

        Assert.True(repair.ExitCode == 0, repair.ToString());
        Assert.Contains("tenant_b: Failed -> Pending: removed failed 2", repair.Stdout, StringComparison.Ordinal);
        Assert.Contains("tenant_a: UpToDate -> UpToDate: nothing to repair", repair.Stdout, StringComparison.Ordinal);
        Assert.Empty((await Run(["history", .. fleet, "--state", "failed", "--json"])).Json("history"));
        Assert.Equal(0, (await Run(["migrate", .. fleet])).ExitCode);
        Assert.Equal(0, (await Run(["validate", .. fleet])).ExitCode);
    }
}

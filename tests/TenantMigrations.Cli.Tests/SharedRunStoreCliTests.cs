using System.Diagnostics;
using TenantMigrations.TestSupport;

namespace TenantMigrations.Cli.Tests;

/// <summary>
/// Runner processes sharing one run through a PostgreSQL run store: together they do each tenant once, a runner
/// killed with SIGKILL loses its tenants to another when its lease runs out, and no password is printed.
/// </summary>
public sealed class SharedRunStoreCliTests(PostgresFixture pg) : IClassFixture<PostgresFixture>, IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    private async Task<(string Database, string Connection, string Store)> FleetAsync(int schemas)
    {
        var suffix = Guid.NewGuid().ToString("N")[..10];
        var database = "shared_" + suffix;
        var connection = await pg.Server.CreateDatabaseAsync(database);
        await pg.Server.ExecuteAsync(string.Join("\n", Enumerable.Range(1, schemas).Select(i => $"CREATE SCHEMA tenant_{i:000};")), database);
        var catalog = await pg.Server.CreateDatabaseAsync("catalog_" + suffix);
        return (database, connection, "postgres:" + catalog);
    }

    private void AssertNoSecret(CliResult run)
    {
        foreach (var secret in pg.Secrets) Assert.False(run.All.Contains(secret, StringComparison.Ordinal), $"password in the output:\n{run}");
    }

    private static string CatalogOf(string store) => store.Split("Database=")[1];

    /// <summary>One row per journal entry of every tenant schema: "schema:version".</summary>
    private async Task<string[]> JournalEntriesAsync(string database, int schemas)
    {
        var union = string.Join(" UNION ALL ", Enumerable.Range(1, schemas).Select(i => $"SELECT 'tenant_{i:000}:' || version AS entry FROM tenant_{i:000}.tenant_migrations_history WHERE version IS NOT NULL"));
        return (await pg.Server.ExecuteAsync(union + " ORDER BY 1;", database)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    [Fact]
    public async Task Four_runners_sharing_a_run_store_over_200_schemas_do_each_tenant_exactly_once_and_all_exit_0()
    {
        temp.Write("migrations/V1__create_users.sql", "CREATE TABLE users (id int PRIMARY KEY, name text NOT NULL);\n");
        temp.Write("migrations/V2__create_orders.sql", "CREATE TABLE orders (id int PRIMARY KEY, tenant text DEFAULT '${schema}');\n");
        var (database, connection, store) = await FleetAsync(200);

        var runners = Enumerable.Range(0, 4)
            .Select(_ => CliRunner.Start(temp.Path, "migrate", "--pg", connection, "--schema-like", "tenant_%", "--run-store", store, "--run-id", "four-runners", "--skip-locked", "--json"))
            .ToList();
        var runs = await Task.WhenAll(runners.Select(r => CliRunner.WaitAsync(r)));
        foreach (var runner in runners) runner.Dispose();

        foreach (var run in runs)
        {
            Assert.True(run.ExitCode == 0, run.ToString());
            AssertNoSecret(run);
        }
        var done = runs.SelectMany(r => r.Json("result")).Where(j => !j.GetProperty("skipped").GetBoolean()).Select(j => j.GetProperty("tenant").GetString()!).ToList();
        Assert.Equal(200, done.Count);
        Assert.Equal(200, done.Distinct().Count());
        Assert.Equal(400, runs.Sum(r => Assert.Single(r.Json("summary")).GetProperty("migrationsApplied").GetInt32()));

        var entries = await JournalEntriesAsync(database, 200);
        Assert.Equal(400, entries.Length);
        Assert.Equal(400, entries.Distinct().Count());
        var rows = await pg.Server.ExecuteAsync("SELECT count(*), count(DISTINCT tenant_name), count(DISTINCT claimed_by) FROM tenantmigrations_run_tenants WHERE run_id = 'four-runners' AND state = 'done';", CatalogOf(store));
        var counts = rows.Split('|').Select(int.Parse).ToArray();
        Assert.Equal(200, counts[0]);
        Assert.Equal(200, counts[1]);
        Assert.True(counts[2] > 1, $"only {counts[2]} runner did all the work");
        Assert.Equal("0", await pg.Server.ExecuteAsync("SELECT count(*) FROM tenantmigrations_run_tenants WHERE state <> 'done';", CatalogOf(store)));

        var shown = await CliRunner.RunAsync(temp.Path, "runs", "four-runners", "--run-store", store);
        Assert.True(shown.ExitCode == 0, shown.ToString());
        Assert.Contains("200/200 done, 0 failed, 0 left, 400 migrations applied", shown.Stdout);
        AssertNoSecret(shown);
        var listed = await CliRunner.RunAsync(temp.Path, "runs", "--run-store", store);
        Assert.Matches(@"four-runners\s+\S+ \S+\s+\S+ \S+\s+200/200\s+0", listed.Stdout);
    }

    [Fact]
    public async Task A_runner_killed_with_SIGKILL_loses_its_claims_to_another_runner_when_the_lease_runs_out()
    {
        temp.Write("migrations/V1__slow_things.sql", "CREATE TABLE things (id int);\nINSERT INTO things VALUES (1);\nSELECT pg_sleep(2);\n");
        var (database, connection, store) = await FleetAsync(6);
        string[] Args(string throttle) => ["migrate", "--pg", connection, "--schema-like", "tenant_%", "--run-store", store, "--run-id", "killed", "--lease", "2s", "--throttle", throttle];

        using var doomed = CliRunner.Start(temp.Path, Args("2"));
        var held = await WaitForClaimsAsync(store, TimeSpan.FromSeconds(30));
        doomed.Kill();
        await doomed.WaitForExitAsync();
        Assert.NotEmpty(held.Tenants);

        var survivor = await CliRunner.RunAsync(temp.Path, Args("6"));
        Assert.True(survivor.ExitCode == 0, survivor.ToString());
        AssertNoSecret(survivor);

        var rows = (await pg.Server.ExecuteAsync("SELECT tenant_name, state, claimed_by FROM tenantmigrations_run_tenants WHERE run_id = 'killed' ORDER BY tenant_name;", CatalogOf(store)))
            .Split('\n').Select(r => r.Split('|')).ToList();
        Assert.Equal(6, rows.Count);
        Assert.All(rows, r => Assert.Equal("done", r[1]));
        // The killed runner's tenants were finished by the survivor.
        Assert.All(rows.Where(r => held.Tenants.Contains(r[0])), r => Assert.NotEqual(held.Runner, r[2]));
        var entries = await JournalEntriesAsync(database, 6);
        Assert.Equal(Enumerable.Range(1, 6).Select(i => $"tenant_{i:000}:1"), entries);
        for (var i = 1; i <= 6; i++) Assert.Equal("1", await pg.Server.ExecuteAsync($"SELECT count(*) FROM tenant_{i:000}.things;", database));
    }

    /// <summary>The tenants some runner holds, and that runner, once it holds any.</summary>
    private async Task<(string Runner, HashSet<string> Tenants)> WaitForClaimsAsync(string store, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            try
            {
                var rows = await pg.Server.ExecuteAsync("SELECT tenant_name, claimed_by FROM tenantmigrations_run_tenants WHERE run_id = 'killed' AND state = 'claimed';", CatalogOf(store));
                var claims = rows.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(r => r.Split('|')).ToList();
                if (claims.Count > 0) return (claims[0][1], claims.Select(c => c[0]).ToHashSet());
            }
            catch (InvalidOperationException)
            {
                // The tables do not exist until the runner creates them.
            }
            await Task.Delay(100);
        }
        throw new TimeoutException("the runner claimed no tenant.");
    }

    [Fact]
    public async Task Bad_run_store_options_are_clear_errors_that_never_print_the_password()
    {
        temp.Write("migrations/V1__create_users.sql", "CREATE TABLE users (id int PRIMARY KEY);\n");
        var (_, connection, store) = await FleetAsync(1);

        var folderRunId = await CliRunner.RunAsync(temp.Path, "migrate", "--pg", connection, "--schema-like", "tenant_%", "--run-id", "x");
        Assert.Equal(2, folderRunId.ExitCode);
        Assert.Contains("--run-id needs a database run store", folderRunId.Stderr);

        var empty = await CliRunner.RunAsync(temp.Path, "migrate", "--pg", connection, "--schema-like", "tenant_%", "--run-store", "postgres:");
        Assert.Equal(2, empty.ExitCode);
        Assert.Contains("--run-store: the run store 'postgres:' has no connection string", empty.Stderr);

        var shortLease = await CliRunner.RunAsync(temp.Path, "migrate", "--pg", connection, "--schema-like", "tenant_%", "--run-store", store, "--run-id", "r0", "--lease", "0s");
        Assert.Equal(2, shortLease.ExitCode);
        Assert.Contains("--lease must be at least 1s.", shortLease.Stderr);

        var waves = await CliRunner.RunAsync(temp.Path, "migrate", "--pg", connection, "--schema-like", "tenant_%", "--run-store", store, "--run-id", "r0", "--waves", "10%,rest");
        Assert.Equal(2, waves.ExitCode);
        Assert.Contains("waves cannot be combined with a shared run store", waves.Stderr);
        Assert.Equal("0", await pg.Server.ExecuteAsync("SELECT count(*) FROM pg_tables WHERE tablename = 'tenantmigrations_runs';", CatalogOf(store)));

        const string WrongPassword = "wr0ng-Store-Pa55";
        var wrong = store.Replace(PostgresServer.Password, WrongPassword, StringComparison.Ordinal);
        var unreachable = await CliRunner.RunAsync(temp.Path, "migrate", "--pg", connection, "--schema-like", "tenant_%", "--run-store", wrong, "--run-id", "r1");
        Assert.Equal(1, unreachable.ExitCode);
        Assert.Contains("run store unreachable: Postgres run store", unreachable.Stderr);
        Assert.DoesNotContain(WrongPassword, unreachable.All);
        AssertNoSecret(unreachable);

        var missing = await CliRunner.RunAsync(temp.Path, "migrate", "--pg", connection, "--schema-like", "tenant_%", "--run-store", store, "--resume", "no-such-run");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("run 'no-such-run' is not in the run store Postgres run store", missing.Stderr);
        AssertNoSecret(missing);
    }
}

using System.Text.Json;
using TenantMigrations.TestSupport;

namespace TenantMigrations.Cli.Tests;

/// <summary>`migrate` records its run, `--resume` continues it after a kill -9, and `runs` lists and shows the runs.</summary>
public sealed class RunRecordCliTests(PostgresFixture pg) : IClassFixture<PostgresFixture>, IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    private string RunsFolder => temp.Combine("runs");

    private Task<CliResult> Run(params string[] args) => CliRunner.RunAsync(temp.Path, args);

    [Fact]
    public async Task A_run_killed_with_SIGKILL_and_resumed_finishes_the_fleet_with_nothing_applied_twice()
    {
        const int Count = 8;
        temp.Write("migrations/V1__users.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY);\n");
        // Long enough per tenant that the kill lands mid-run.
        temp.Write("migrations/V2__backfill.sql", "WITH RECURSIVE counter(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM counter WHERE x < 2500000) SELECT count(*) FROM counter;\nCREATE TABLE orders (id INTEGER PRIMARY KEY);\n");
        for (var i = 1; i <= Count; i++) temp.Write($"fleet/t{i}.db", "");
        string[] migrate = ["migrate", "--sqlite", "fleet/*.db", "--migrations", "migrations", "--throttle", "1", "--run-store", "runs", "--json"];

        using (var process = CliRunner.Start(temp.Path, migrate))
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var record = await WaitForTenantLinesAsync(2);
            process.Kill(); // SIGKILL on Unix: no handler runs, nothing is flushed or closed.
            await process.WaitForExitAsync();
            Assert.NotEqual(0, process.ExitCode);
            await stdout;
            Assert.DoesNotContain("\"summary\"", File.ReadAllText(record));
        }
        var runId = Path.GetFileNameWithoutExtension(Assert.Single(Directory.GetFiles(RunsFolder)));

        var list = await Run("runs", "--run-store", "runs");
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Matches($@"{runId}\s+\S+ \S+\s+incomplete\s+\d/{Count}\s+0", list.Stdout);
        var killed = (await Run("runs", runId, "--run-store", "runs", "--json")).Json("run").Single();
        Assert.False(killed.GetProperty("complete").GetBoolean());
        var doneBefore = killed.GetProperty("tenants").EnumerateArray().Where(t => t.GetProperty("outcome").GetString() == "Succeeded").Select(t => t.GetProperty("tenant").GetString()!).ToList();
        Assert.InRange(doneBefore.Count, 2, Count - 1);
        Assert.True(killed.GetProperty("left").GetInt32() >= 1);

        var resumed = await Run([.. migrate, "--resume", runId]);

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains($"resuming run {runId}: {doneBefore.Count} tenants already done are skipped, {Count - doneBefore.Count} to run.", resumed.Stderr);
        var rerun = resumed.Json("result").Select(r => r.GetProperty("tenant").GetString()!).ToList();
        Assert.Equal(Count - doneBefore.Count, rerun.Count);
        Assert.Empty(rerun.Intersect(doneBefore));
        Assert.All(resumed.Json("result"), r => Assert.Equal(runId, r.GetProperty("runId").GetString()));
        Assert.Equal(runId, resumed.Json("summary").Single().GetProperty("runId").GetString());
        for (var i = 1; i <= Count; i++)
        {
            var path = temp.Combine("fleet", $"t{i}.db");
            Assert.Equal([("1", "succeeded"), ("2", "succeeded")], SqliteFile.Journal(path));
            Assert.Contains("orders", SqliteFile.Tables(path));
        }

        var finished = (await Run("runs", runId, "--run-store", "runs", "--json")).Json("run").Single();
        Assert.True(finished.GetProperty("complete").GetBoolean(), finished.ToString());
        Assert.Equal((Count, Count, 0, 1), (finished.GetProperty("done").GetInt32(), finished.GetProperty("total").GetInt32(), finished.GetProperty("left").GetInt32(), finished.GetProperty("resumes").GetInt32()));
    }

    [Fact]
    public async Task Runs_lists_the_runs_and_shows_one_with_its_failures_in_text_and_JSON()
    {
        temp.Write("migrations/V1__users.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY);\n");
        temp.Write("fleet/alpha.db", "");
        temp.Write("fleet/beta.db", "");
        temp.Write("fleet/broken.db", "this is a spreadsheet export, not a database\n");
        var migrate = await Run("migrate", "--sqlite", "fleet/*.db", "--migrations", "migrations", "--run-store", "runs");
        Assert.True(migrate.ExitCode == 1, migrate.ToString());
        var runId = Path.GetFileNameWithoutExtension(Assert.Single(Directory.GetFiles(RunsFolder)));
        Assert.Contains($"continue it with --resume {runId}", migrate.Stderr);

        var list = await Run("runs", "--run-store", "runs");
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Matches(@"^RUN\s+STARTED\s+FINISHED\s+DONE\s+FAILED", list.Stdout);
        Assert.Matches($@"{runId}\s+\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\dZ\s+\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\dZ\s+2/3\s+1", list.Stdout);

        var listJson = await Run("runs", "--run-store", "runs", "--json");
        var listed = Assert.Single(listJson.Json("run"));
        Assert.Equal((runId, 3, 2, 1, true), (listed.GetProperty("runId").GetString(), listed.GetProperty("total").GetInt32(), listed.GetProperty("done").GetInt32(), listed.GetProperty("failed").GetInt32(), listed.GetProperty("complete").GetBoolean()));

        var show = await Run("runs", runId, "--run-store", "runs");
        Assert.True(show.ExitCode == 0, show.ToString());
        Assert.Contains($"run       {runId}", show.Stdout);
        Assert.Contains("progress  2/3 done, 1 failed, 0 left, 2 migrations applied", show.Stdout);
        Assert.Contains("failures (1):", show.Stdout);
        Assert.Matches(@"broken\s+Blocked\s+InvalidTenant: .*broken\.db is not a SQLite database", show.Stdout);
        Assert.Contains("--sqlite fleet/*.db", show.Stdout);

        var failure = Assert.Single((await Run("runs", runId, "--run-store", "runs", "--json")).Json("run").Single().GetProperty("failures").EnumerateArray());
        Assert.Equal(("broken", "InvalidTenant"), (failure.GetProperty("tenant").GetString(), failure.GetProperty("errorId").GetString()));

        var unknown = await Run("runs", "20260101-000000-00000000", "--run-store", "runs", "--json");
        Assert.True(unknown.ExitCode == 2, unknown.ToString());
        Assert.Equal("RunNotFound", unknown.Json("error").Single().GetProperty("errorId").GetString());
        Assert.Contains("run '20260101-000000-00000000'", unknown.Stderr);
        var resumeUnknown = await Run("migrate", "--sqlite", "fleet/*.db", "--migrations", "migrations", "--run-store", "runs", "--resume", "nosuchrun");
        Assert.True(resumeUnknown.ExitCode == 2, resumeUnknown.ToString());
        Assert.Contains("run 'nosuchrun' is not in the run store", resumeUnknown.Stderr);
        Assert.Equal([("1", "succeeded")], SqliteFile.Journal(temp.Combine("fleet", "beta.db")));
    }

    [Fact]
    public async Task The_run_store_comes_from_the_environment_and_the_record_of_a_pg_run_holds_no_connection_string()
    {
        var database = "rr_" + Guid.NewGuid().ToString("N")[..10];
        var connection = await pg.Server.CreateDatabaseAsync(database);
        await pg.Server.ExecuteAsync("CREATE SCHEMA tenant_a; CREATE SCHEMA tenant_b;", database);
        temp.Write("migrations/V1__users.sql", "CREATE TABLE users (id int PRIMARY KEY);\n");
        var process = StartWithRunStore("migrate", "--pg", connection, "--schema-like", "tenant_%", "--migrations", "migrations");
        var run = await CliRunner.WaitAsync(process);
        process.Dispose();

        Assert.True(run.ExitCode == 0, run.ToString());
        var record = File.ReadAllText(Assert.Single(Directory.GetFiles(temp.Combine("env-runs"))));
        foreach (var secret in pg.Secrets) Assert.DoesNotContain(secret, record);
        Assert.DoesNotContain("Password", record, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(connection, record);
        Assert.Contains("\"schema-like\":\"tenant_%\"", record);
        Assert.Equal(["start", "tenant", "tenant", "summary"], record.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("type").GetString()));
    }

    private System.Diagnostics.Process StartWithRunStore(params string[] args) =>
        CliRunner.Start(temp.Path, new Dictionary<string, string?> { ["TENANTMIGRATIONS_RUN_STORE"] = temp.Combine("env-runs") }, args);

    /// <summary>Polls the run store until the one record holds this many finished tenants.</summary>
    private async Task<string> WaitForTenantLinesAsync(int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var files = Directory.Exists(RunsFolder) ? Directory.GetFiles(RunsFolder) : [];
            if (files.Length == 1)
            {
                using var reader = new StreamReader(new FileStream(files[0], FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
                var text = await reader.ReadToEndAsync();
                if (text.Split('\n').Count(l => l.Contains("\"type\":\"tenant\"", StringComparison.Ordinal)) >= count) return files[0];
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"the run record did not reach {count} tenants within 60 s.");
    }

    [Fact]
    public async Task A_run_in_waves_shows_its_progress_per_wave()
    {
        temp.Write("migrations/V1__users.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY);\n");
        foreach (var name in new[] { "alpha", "beta", "gamma", "delta" }) temp.Write($"fleet/{name}.db", "");
        var migrate = await Run("migrate", "--sqlite", "fleet/*.db", "--migrations", "migrations", "--run-store", "runs", "--waves", "25%,rest");
        Assert.True(migrate.ExitCode == 0, migrate.ToString());
        var runId = Path.GetFileNameWithoutExtension(Assert.Single(Directory.GetFiles(RunsFolder)));

        var show = await Run("runs", runId, "--run-store", "runs");
        Assert.Contains("waves     25%: 1 done, 0 failed; rest: 3 done, 0 failed", show.Stdout);

        var waves = (await Run("runs", runId, "--run-store", "runs", "--json")).Json("run").Single().GetProperty("waves").EnumerateArray()
            .Select(w => (w.GetProperty("name").GetString(), w.GetProperty("done").GetInt32())).ToList();
        Assert.Equal([("25%", 1), ("rest", 3)], waves);
    }
}

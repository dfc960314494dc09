using TenantMigrations.Engine.Dialects.Sqlite;
using TenantMigrations.TestSupport;

namespace TenantMigrations.Cli.Tests;

/// <summary>migrate's rollout options as a process over SQLite tenants: exit codes, the closing summary, what lands in the files.</summary>
public sealed class RolloutCliTests : IDisposable
{
    private readonly TempFolder temp = new();

    public RolloutCliTests()
    {
        temp.Write("migrations/V1__create_users.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n");
        temp.Write("tenants.json", """
            [
              {"name": "acme", "engine": "sqlite", "connectionString": "Data Source=dbs/acme.db", "tags": ["canary"]},
              {"name": "globex", "engine": "sqlite", "connectionString": "Data Source=dbs/globex.db", "tags": ["silver"]},
              {"name": "initech", "engine": "sqlite", "connectionString": "Data Source=dbs/initech.db"}
            ]
            """);
    }

    public void Dispose() => temp.Dispose();

    private string Db(string tenant) => temp.Combine("dbs", tenant + ".db");

    private Task<CliResult> Run(params string[] args) => CliRunner.RunAsync(temp.Path, args);

    private Tenant TenantNamed(string name) => new() { Name = name, Engine = DatabaseEngine.Sqlite, ConnectionString = $"Data Source={Db(name)}" };

    [Fact]
    public async Task Skip_locked_reports_a_tenant_locked_by_another_runner_as_skipped_and_exits_0()
    {
        Directory.CreateDirectory(temp.Combine("dbs"));
        await using (var held = await new SqliteDialect().TryLockAsync(null!, TenantNamed("globex"), "tenant_migrations_history", TimeSpan.Zero, CancellationToken.None))
        {
            Assert.NotNull(held);

            var strict = await Run("migrate", "--create", "--tenants", "tenants.json", "--lock-timeout", "0", "--name", "globex");
            Assert.True(strict.ExitCode == 1, strict.ToString());

            var run = await Run("migrate", "--create", "--tenants", "tenants.json", "--lock-timeout", "0", "--skip-locked");
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Matches(@"globex\s+Skipped \(locked by another runner\)", run.Stdout);
            Assert.Contains("2 succeeded, 0 failed, 0 locked", run.Stdout);
            Assert.Contains("1 skipped (locked by another runner)", run.Stdout);

            var json = await Run("migrate", "--create", "--tenants", "tenants.json", "--lock-timeout", "0", "--skip-locked", "--json");
            Assert.True(json.ExitCode == 0, json.ToString());
            Assert.True(json.Result("globex").GetProperty("skipped").GetBoolean());
            var summary = Assert.Single(json.Json("summary"));
            Assert.Equal(1, summary.GetProperty("skippedLocked").GetInt32());
            Assert.True(summary.GetProperty("allSucceeded").GetBoolean());
        }
        Assert.Equal([("1", "succeeded")], SqliteFile.Journal(Db("acme")));
        Assert.Empty(SqliteFile.Journal(Db("globex")));
    }

    [Fact]
    public async Task A_failing_canary_wave_stops_the_run_and_the_summary_names_the_wave_and_the_failed_tenant()
    {
        Directory.CreateDirectory(temp.Combine("dbs"));
        SqliteFile.Execute(Db("acme"), "CREATE TABLE users (id INTEGER)");

        var run = await Run("migrate", "--create", "--tenants", "tenants.json", "--waves", "canary,rest");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("wave canary: 1 tenants, 0 succeeded, 1 failed (0 verification), 0 not started: not passed", run.Stdout);
        Assert.Contains("wave rest: 2 tenants, 0 succeeded, 0 failed (0 verification), 2 not started: not passed", run.Stdout);
        Assert.Contains("stopped at a wave gate: 2 tenants not started", run.Stdout);
        Assert.Contains("Not succeeded: acme (", run.Stdout);
        Assert.Contains("wave canary did not pass its gate", run.Stderr);
        Assert.False(File.Exists(Db("globex")));
        Assert.False(File.Exists(Db("initech")));

        var json = await Run("migrate", "--create", "--tenants", "tenants.json", "--waves", "canary,rest", "--json");
        var summary = Assert.Single(json.Json("summary"));
        Assert.Equal("WaveGate", summary.GetProperty("stoppedBy").GetString());
        Assert.Equal(2, summary.GetProperty("notStarted").GetInt32());
        Assert.Equal("acme", Assert.Single(summary.GetProperty("failedTenants").EnumerateArray()).GetString());
        Assert.Equal(2, summary.GetProperty("waves").GetArrayLength());
        Assert.Equal("canary", json.Result("acme").GetProperty("wave").GetString());
    }

    [Fact]
    public async Task A_spent_time_budget_exits_3_and_leaves_the_tenants_not_started_untouched()
    {
        temp.Write("migrations/V2__slow.sql", "CREATE TABLE counted AS WITH RECURSIVE counter(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM counter WHERE x < 20000000) SELECT count(*) AS n FROM counter;\n");

        var run = await Run("migrate", "--create", "--tenants", "tenants.json", "--throttle", "1", "--max-duration", "1s");

        Assert.True(run.ExitCode == 3, run.ToString());
        Assert.Contains("time budget spent: 2 tenants not started", run.Stdout);
        Assert.Equal([("1", "succeeded"), ("2", "succeeded")], SqliteFile.Journal(Db("acme")));
        Assert.False(File.Exists(Db("globex")));
        Assert.False(File.Exists(Db("initech")));
    }

    [Fact]
    public async Task The_breaker_and_exclude_work_from_the_command_line()
    {
        Directory.CreateDirectory(temp.Combine("dbs"));
        SqliteFile.Execute(Db("acme"), "CREATE TABLE users (id INTEGER)");

        var run = await Run("migrate", "--create", "--tenants", "tenants.json", "--throttle", "1", "--max-failures", "0", "--exclude", "silver");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("2 tenants:", run.Stdout);
        Assert.Contains("stopped by the circuit breaker: 1 tenants not started", run.Stdout);
        Assert.False(File.Exists(Db("globex")));
        Assert.False(File.Exists(Db("initech")));
    }

    [Theory]
    [InlineData("--partition", "4/3", "--partition '4/3' must be i/N")]
    [InlineData("--waves", "canary,0%", "not a percentage")]
    [InlineData("--max-failure-rate", "lots", "--max-failure-rate must be a percentage")]
    [InlineData("--max-duration", "soon", "--max-duration 'soon' is not a duration")]
    [InlineData("--wave", "late", "wave 'late': no waves are defined")]
    [InlineData("--throttle-per-server", "0", "--throttle-per-server must be a whole number of at least 1")]
    public async Task A_bad_rollout_option_exits_2_naming_it(string option, string value, string message)
    {
        var run = await Run("migrate", "--create", "--tenants", "tenants.json", option, value);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains(message, run.Stderr);
        Assert.False(Directory.Exists(temp.Combine("dbs")));
    }

    [Fact]
    public async Task Partitions_from_the_command_line_cover_the_tenants_once()
    {
        var totals = new List<int>();
        for (var i = 1; i <= 3; i++)
        {
            var run = await Run("migrate", "--create", "--tenants", "tenants.json", "--partition", $"{i}/3", "--json");
            Assert.True(run.ExitCode == 0, run.ToString());
            totals.Add(Assert.Single(run.Json("summary")).GetProperty("total").GetInt32());
        }

        Assert.Equal(3, totals.Sum());
        foreach (var tenant in new[] { "acme", "globex", "initech" }) Assert.Equal([("1", "succeeded")], SqliteFile.Journal(Db(tenant)));
    }
}

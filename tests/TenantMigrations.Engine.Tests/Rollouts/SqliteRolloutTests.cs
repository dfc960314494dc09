using Microsoft.Data.Sqlite;
using TenantMigrations.Engine.Dialects.Sqlite;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Rollouts;
using TenantMigrations.TestSupport;

namespace TenantMigrations.Engine.Tests.Rollouts;

/// <summary>Rollouts over real SQLite files: waves and their gates, verify scripts, breaker, budget, partitions, exclusions, skip-locked.</summary>
public sealed class SqliteRolloutTests : IDisposable
{
    private readonly TempFolder folder = new();

    public SqliteRolloutTests()
    {
        folder.Write("migrations/V1__create_things.sql", "CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT);\n");
        folder.Write("migrations/V2__seed_things.sql", "INSERT INTO things (id, name) VALUES (1, 'first');\n");
    }

    public void Dispose() => folder.Dispose();

    private string DbPath(string name) => folder.Combine("data", name + ".db");

    private Tenant NewTenant(string name, params string[] tags) =>
        new() { Name = name, Engine = DatabaseEngine.Sqlite, ConnectionString = $"Data Source={DbPath(name)}", Tags = tags };

    private List<Tenant> Fleet(int count, string prefix = "t") => Enumerable.Range(1, count).Select(i => NewTenant($"{prefix}{i:00}")).ToList();

    /// <summary>Makes V1 fail on this tenant: the table it creates is already there.</summary>
    private void Break(Tenant tenant)
    {
        Directory.CreateDirectory(folder.Combine("data"));
        using var connection = new SqliteConnection($"Data Source={DbPath(tenant.Name)};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "CREATE TABLE things (id INTEGER)";
        command.ExecuteNonQuery();
    }

    /// <summary>The versions the tenant's journal holds as succeeded; empty when the tenant was never touched.</summary>
    private List<string> Journal(Tenant tenant)
    {
        if (!File.Exists(DbPath(tenant.Name))) return [];
        using var connection = new SqliteConnection($"Data Source={DbPath(tenant.Name)};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var exists = connection.CreateCommand();
        exists.CommandText = "SELECT count(*) FROM sqlite_master WHERE name = 'tenant_migrations_history'";
        if (Convert.ToInt32(exists.ExecuteScalar()) == 0) return [];
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT version FROM tenant_migrations_history WHERE state = 'succeeded' ORDER BY installed_rank";
        using var reader = command.ExecuteReader();
        var versions = new List<string>();
        while (reader.Read()) versions.Add(reader.GetString(0));
        return versions;
    }

    private async Task<(MigrationRunSummary Summary, RecordingSink Sink)> RunAsync(IReadOnlyList<Tenant> tenants, RolloutOptions rollout, MigrateOptions? options = null)
    {
        var sink = new RecordingSink();
        var set = MigrationSet.Load(folder.Combine("migrations"));
        var summary = await new RolloutRunner().MigrateAsync(tenants, set, options ?? new MigrateOptions { CreateMissing = true, ThrottleLimit = 1 }, rollout, sink);
        return (summary, sink);
    }

    [Fact]
    public async Task A_canary_wave_that_fails_stops_the_run_before_the_next_wave()
    {
        var canaries = new[] { NewTenant("canary-a", "canary"), NewTenant("canary-b", "canary") };
        var others = Fleet(5);
        Break(canaries[1]);

        var (summary, sink) = await RunAsync([.. others, .. canaries], new RolloutOptions { Waves = WaveDefinition.Parse("canary,rest") });

        Assert.Equal(["1", "2"], Journal(canaries[0]));
        Assert.Equal(["canary-b"], summary.FailedTenants);
        Assert.All(others, t => Assert.Empty(Journal(t)));
        Assert.All(others, t => Assert.False(File.Exists(DbPath(t.Name)), t.Name));
        Assert.Equal(RunStopReason.WaveGate, summary.StoppedBy);
        Assert.Equal(5, summary.Skipped);
        Assert.False(summary.AllSucceeded);
        Assert.Collection(summary.Waves,
            canary => { Assert.Equal("canary", canary.Name); Assert.False(canary.Passed); Assert.Equal(1, canary.Failed); Assert.Equal(1, canary.Succeeded); },
            rest => { Assert.Equal("rest", rest.Name); Assert.Equal(5, rest.NotStarted); Assert.False(rest.Passed); });
        Assert.All(sink.Results, r => Assert.Equal("canary", r.Wave));
        Assert.Contains(sink.Events.OfType<FleetLog>(), log => log.Level == FleetLogLevel.Warning && log.Message.Contains("wave canary did not pass", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Waves_that_pass_run_in_order_and_the_settings_file_defines_them()
    {
        folder.Write("migrations/tenantmigrations.json", """
            { "waves": [ {"name": "canary", "tags": ["canary"]}, {"name": "named", "names": ["vip-*"]}, {"name": "early", "percent": 50}, {"name": "rest"} ] }
            """);
        List<Tenant> tenants = [NewTenant("vip-1"), NewTenant("c1", "canary"), .. Fleet(4)];
        var (summary, sink) = await RunAsync(tenants, new RolloutOptions());

        Assert.True(summary.AllSucceeded, summary.ToString());
        Assert.Equal(["canary", "named", "early", "rest"], summary.Waves.Select(w => w.Name));
        Assert.Equal([1, 1, 2, 2], summary.Waves.Select(w => w.Total));
        Assert.All(summary.Waves, w => Assert.True(w.Passed));
        var order = sink.Results.Select(r => (r.TenantName, r.Wave)).ToList();
        Assert.Equal(("c1", "canary"), order[0]);
        Assert.Equal(("vip-1", "named"), order[1]);
        Assert.All(tenants, t => Assert.Equal(["1", "2"], Journal(t)));
    }

    [Fact]
    public async Task A_verify_script_that_fails_blocks_the_gate_and_leaves_the_journal_alone()
    {
        folder.Write("migrations/V2__seed_things.verify.sql", "SELECT 1 FROM things WHERE name = 'missing';\n");
        var canary = NewTenant("canary-a", "canary");
        var others = Fleet(3);

        var (summary, sink) = await RunAsync([canary, .. others], new RolloutOptions { Waves = WaveDefinition.Parse("canary,rest") });

        var result = Assert.Single(sink.Results);
        Assert.Equal(ErrorIds.VerificationFailed, result.Error?.ErrorId);
        Assert.Contains("V2__seed_things.verify.sql", result.Error!.Message, StringComparison.Ordinal);
        Assert.Equal(["1", "2"], Journal(canary));
        Assert.Equal(1, summary.VerificationFailed);
        Assert.Equal(1, summary.Failed);
        Assert.Equal(RunStopReason.WaveGate, summary.StoppedBy);
        Assert.All(others, t => Assert.Empty(Journal(t)));
    }

    [Fact]
    public async Task A_verify_script_that_returns_a_row_passes_the_gate()
    {
        folder.Write("migrations/V2__seed_things.verify.sql", "SELECT count(*) FROM things;\nSELECT 1 FROM things WHERE name = 'first';\n");
        List<Tenant> tenants = [NewTenant("canary-a", "canary"), .. Fleet(3)];

        var (summary, _) = await RunAsync(tenants, new RolloutOptions { Waves = WaveDefinition.Parse("canary,rest") });

        Assert.True(summary.AllSucceeded, summary.ToString());
        Assert.All(tenants, t => Assert.Equal(["1", "2"], Journal(t)));
    }

    [Fact]
    public async Task The_breaker_stops_new_tenants_once_failures_exceed_the_limit()
    {
        var tenants = Fleet(10);
        foreach (var broken in new[] { 1, 3, 5, 7 }) Break(tenants[broken]);

        var (summary, sink) = await RunAsync(tenants, new RolloutOptions { MaxFailures = 2 });

        // One worker takes the tenants in order: t06 is the third failure, so t07..t10 never start.
        Assert.Equal(RunStopReason.CircuitBreaker, summary.StoppedBy);
        Assert.Equal(["t02", "t04", "t06"], summary.FailedTenants);
        Assert.Equal(4, summary.Skipped);
        Assert.Equal(["t01", "t02", "t03", "t04", "t05", "t06"], sink.Results.Select(r => r.TenantName).Order());
        foreach (var done in new[] { 0, 2, 4 }) Assert.Equal(["1", "2"], Journal(tenants[done]));
        Assert.All(tenants.Skip(6), t => Assert.Empty(Journal(t)));
        foreach (var notStarted in new[] { 6, 8, 9 }) Assert.False(File.Exists(DbPath(tenants[notStarted].Name)), tenants[notStarted].Name);
        Assert.Contains("stopped by the circuit breaker: 4 tenants not started", summary.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_breaker_a_flat_run_goes_on_after_failures()
    {
        var tenants = Fleet(4);
        Break(tenants[0]);
        Break(tenants[1]);

        var (summary, _) = await RunAsync(tenants, new RolloutOptions());

        Assert.Equal(RunStopReason.None, summary.StoppedBy);
        Assert.Equal(2, summary.Failed);
        Assert.Equal(0, summary.Skipped);
        Assert.Equal(["1", "2"], Journal(tenants[3]));
    }

    [Fact]
    public async Task A_spent_time_budget_leaves_the_remaining_tenants_not_started_and_lets_the_one_in_flight_finish()
    {
        var tenants = Fleet(4);
        var time = new SteppingTime();
        // The budget is spent while the first tenant is in flight: the clock jumps an hour as it starts.
        var sink = new RecordingSink { OnPost = e => { if (e is TenantStarted) time.Advance(TimeSpan.FromHours(1)); } };
        var set = MigrationSet.Load(folder.Combine("migrations"));

        var summary = await new RolloutRunner(time: time).MigrateAsync(tenants, set, new MigrateOptions { CreateMissing = true, ThrottleLimit = 1 }, new RolloutOptions { MaxDuration = TimeSpan.FromMinutes(30) }, sink);

        Assert.Equal(RunStopReason.TimeBudget, summary.StoppedBy);
        Assert.Equal(["1", "2"], Journal(tenants[0]));
        Assert.Equal(3, summary.Skipped);
        Assert.Equal(1, summary.Succeeded);
        Assert.False(summary.AllSucceeded);
        Assert.All(tenants.Skip(1), t => Assert.False(File.Exists(DbPath(t.Name)), t.Name));
        Assert.Contains("time budget spent: 3 tenants not started", summary.ToString(), StringComparison.Ordinal);
        Assert.Contains(sink.Events.OfType<FleetLog>(), log => log.Level == FleetLogLevel.Warning && log.Message.Contains("time budget", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_wave_delay_waits_between_waves_on_the_runs_clock()
    {
        List<Tenant> tenants = [NewTenant("c1", "canary"), .. Fleet(2)];
        var time = new SteppingTime();
        var set = MigrationSet.Load(folder.Combine("migrations"));
        var rollout = new RolloutOptions { Waves = WaveDefinition.Parse("canary,rest"), WaveDelay = TimeSpan.FromMinutes(10) };
        var sink = new RecordingSink();

        var run = new RolloutRunner(time: time).MigrateAsync(tenants, set, new MigrateOptions { CreateMissing = true, ThrottleLimit = 1 }, rollout, sink);
        for (var i = 0; i < 1500 && !sink.Events.OfType<FleetLog>().Any(l => l.Message.StartsWith("waiting 10m00s before wave rest", StringComparison.Ordinal)); i++) await Task.Delay(20);
        Assert.False(run.IsCompleted);
        Assert.Equal(["c1"], sink.Results.Select(r => r.TenantName));
        time.Advance(TimeSpan.FromMinutes(10));
        var summary = await run;

        Assert.True(summary.AllSucceeded, summary.ToString());
        Assert.All(tenants, t => Assert.Equal(["1", "2"], Journal(t)));
    }

    /// <summary>A clock that moves only when told to.</summary>
    private sealed class SteppingTime : TimeProvider
    {
        private long ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref ticks);

        public void Advance(TimeSpan by) => Interlocked.Add(ref ticks, by.Ticks);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => new ManualTimer(this, callback, state, dueTime);

        private sealed class ManualTimer : ITimer
        {
            private readonly CancellationTokenSource stop = new();

            public ManualTimer(SteppingTime time, TimerCallback callback, object? state, TimeSpan dueTime)
            {
                var due = time.GetTimestamp() + dueTime.Ticks;
                _ = Task.Run(async () =>
                {
                    while (time.GetTimestamp() < due && !stop.IsCancellationRequested) await Task.Delay(10);
                    if (!stop.IsCancellationRequested) callback(state);
                });
            }

            public bool Change(TimeSpan dueTime, TimeSpan period) => false;

            public void Dispose() => stop.Cancel();

            public ValueTask DisposeAsync()
            {
                stop.Cancel();
                return ValueTask.CompletedTask;
            }
        }
    }

    [Fact]
    public async Task Three_partitions_cover_the_fleet_exactly_once()
    {
        var tenants = Fleet(30);
        var totals = new List<int>();
        for (var index = 1; index <= 3; index++)
        {
            var (summary, _) = await RunAsync(tenants, new RolloutOptions { Partition = new TenantPartition(index, 3) }, new MigrateOptions { CreateMissing = true, ThrottleLimit = 4 });
            Assert.True(summary.AllSucceeded, summary.ToString());
            totals.Add(summary.Total);
        }

        Assert.Equal(30, totals.Sum());
        Assert.All(totals, total => Assert.InRange(total, 1, 29));
        // Each tenant was migrated by exactly one runner: one succeeded row per version, never two.
        Assert.All(tenants, t => Assert.Equal(["1", "2"], Journal(t)));
    }

    [Fact]
    public async Task Exclude_removes_tenants_by_name_wildcard_and_by_tag()
    {
        List<Tenant> tenants = [NewTenant("keep-1"), NewTenant("test-1"), NewTenant("test-2"), NewTenant("frozen", "legal-hold"), NewTenant("keep-2", "gold")];

        var (summary, _) = await RunAsync(tenants, new RolloutOptions { Exclude = ["test-*", "legal-hold"] });

        Assert.Equal(2, summary.Total);
        Assert.Equal(["1", "2"], Journal(tenants[0]));
        Assert.Equal(["1", "2"], Journal(tenants[4]));
        foreach (var name in new[] { "test-1", "test-2", "frozen" }) Assert.False(File.Exists(DbPath(name)), name);
    }

    [Fact]
    public async Task Skip_locked_reports_a_tenant_locked_by_another_runner_as_skipped_not_failed()
    {
        var tenants = Fleet(3);
        await using var held = await new SqliteDialect().TryLockAsync(null!, tenants[1], "tenant_migrations_history", TimeSpan.Zero, CancellationToken.None);
        Assert.NotNull(held);
        var options = new MigrateOptions { CreateMissing = true, ThrottleLimit = 2, LockTimeout = TimeSpan.Zero };

        var (skipping, sink) = await RunAsync(tenants, new RolloutOptions { SkipLocked = true }, options);

        Assert.True(skipping.AllSucceeded, skipping.ToString());
        Assert.Equal(1, skipping.SkippedLocked);
        Assert.Equal(0, skipping.Locked);
        Assert.Empty(skipping.FailedTenants);
        var skipped = Assert.Single(sink.Results, r => r.Skipped);
        Assert.Equal("t02", skipped.TenantName);
        Assert.Null(skipped.Error);
        Assert.Contains("1 skipped (locked by another runner)", skipping.ToString(), StringComparison.Ordinal);

        var (strict, _) = await RunAsync(tenants, new RolloutOptions(), options);
        Assert.False(strict.AllSucceeded);
        Assert.Equal(1, strict.Locked);
        Assert.Equal(0, strict.SkippedLocked);
    }

    [Fact]
    public async Task Run_one_wave_only_and_an_unknown_wave_is_an_error_naming_it()
    {
        List<Tenant> tenants = [NewTenant("c1", "canary"), .. Fleet(3)];

        var (summary, _) = await RunAsync(tenants, new RolloutOptions { Waves = WaveDefinition.Parse("canary,rest"), OnlyWave = "rest" });

        Assert.Equal(3, summary.Total);
        Assert.Empty(Journal(tenants[0]));
        Assert.All(tenants.Skip(1), t => Assert.Equal(["1", "2"], Journal(t)));

        var error = await Assert.ThrowsAsync<ArgumentException>(() => RunAsync(tenants, new RolloutOptions { Waves = WaveDefinition.Parse("canary,rest"), OnlyWave = "late" }));
        Assert.Contains("'late'", error.Message, StringComparison.Ordinal);
        Assert.Contains("canary, rest", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_resumed_run_keeps_every_tenant_in_its_wave_and_does_not_gate_a_passed_wave_again()
    {
        List<Tenant> tenants = [NewTenant("canary-a", "canary"), .. Fleet(12)];
        var rollout = new RolloutOptions { Waves = WaveDefinition.Parse("canary,50%,rest") };
        var (_, first) = await RunAsync(tenants, rollout, new MigrateOptions { CreateMissing = true, ThrottleLimit = 1, DryRun = true });
        var waveOf = first.Results.ToDictionary(r => r.TenantName, r => r.Wave);
        var left = tenants.Where(t => waveOf[t.Name] == "rest").Append(tenants.First(t => waveOf[t.Name] == "50%")).ToList();

        var (summary, resumed) = await RunAsync(tenants, rollout with { RunOnly = RolloutOptions.NamesOf(left) });

        Assert.Equal(left.Count, resumed.Results.Count);
        Assert.All(resumed.Results, r => Assert.Equal(waveOf[r.TenantName], r.Wave));
        var canary = summary.Waves.Single(w => w.Name == "canary");
        Assert.Equal((0, true), (canary.Total, canary.Passed));
        Assert.Empty(Journal(tenants[0]));
    }
}

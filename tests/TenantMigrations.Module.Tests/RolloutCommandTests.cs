using TenantMigrations.Engine.Dialects.Sqlite;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Commands;
using TenantMigrations.Engine.Rollouts;
using TenantMigrations.Module.Tests.Support;

namespace TenantMigrations.Module.Tests;

/// <summary>Invoke-TenantMigration's rollout parameters: their contract, and the behaviour behind them through a fake host and real SQLite files.</summary>
public sealed class RolloutCommandTests : IDisposable
{
    private readonly SqliteFleet fleet = new();

    public void Dispose() => fleet.Dispose();

    private TenantMigrationCommand Command(IEnumerable<Tenant> tenants, FakeHost host, RolloutOptions rollout)
    {
        var command = new TenantMigrationCommand(fleet.Load(), new MigrateOptions { CreateMissing = true, ThrottleLimit = 1, LockTimeout = TimeSpan.Zero }) { Rollout = rollout };
        foreach (var tenant in tenants) command.Add(tenant, host);
        return command;
    }

    [Fact]
    public void The_rollout_parameters_have_the_command_line_names_and_useful_types()
    {
        var expected = new Dictionary<string, string>
        {
            ["Waves"] = "String[]",
            ["Wave"] = "String",
            ["WaveDelay"] = "TimeSpan",
            ["MaxFailures"] = "Int32",
            ["MaxFailureRate"] = "Double",
            ["MaxDuration"] = "TimeSpan",
            ["Partition"] = "String",
            ["PartitionCount"] = "Int32",
            ["Exclude"] = "String[]",
            ["ThrottlePerServer"] = "Int32",
            ["SkipLocked"] = "SwitchParameter",
        };
        foreach (var (name, type) in expected) Assert.Equal(type, CmdletContract.Parameter("Invoke-TenantMigration", name).TypeName);
    }

    [Fact]
    public async Task A_tenant_locked_by_another_runner_is_a_skipped_result_and_no_error_with_SkipLocked()
    {
        fleet.WriteStandardMigrations();
        var tenants = fleet.Tenants("a", "b");
        Directory.CreateDirectory(Path.GetDirectoryName(fleet.DatabasePath("b"))!);
        await using var held = await new SqliteDialect().TryLockAsync(null!, tenants[1], "tenant_migrations_history", TimeSpan.Zero, CancellationToken.None);
        Assert.NotNull(held);
        var host = new FakeHost();

        var summary = Command(tenants, host, new RolloutOptions { SkipLocked = true }).Run(host);

        Assert.True(summary.AllSucceeded, summary.ToString());
        Assert.Equal(1, summary.SkippedLocked);
        Assert.Empty(host.Errors);
        Assert.True(host.ObjectsOf<TenantMigrationResult>().Single(r => r.TenantName == "b").Skipped);
        Assert.Contains(host.Verbose, v => v == "b: Skipped (locked by another runner).");
        Assert.True(fleet.TableExists("a", "orders"));
    }

    [Fact]
    public void A_failing_canary_warns_that_the_gate_closed_and_leaves_the_rest_untouched()
    {
        fleet.WriteStandardMigrations();
        var canary = fleet.Tenant("canary");
        canary.Tags = ["canary"];
        fleet.Execute("canary", "CREATE TABLE customers (id INTEGER)");
        var host = new FakeHost();

        var summary = Command([canary, .. fleet.Tenants("b", "c")], host, new RolloutOptions { Waves = WaveDefinition.Parse("canary,rest") }).Run(host);

        Assert.Equal(RunStopReason.WaveGate, summary.StoppedBy);
        Assert.Equal(2, summary.Skipped);
        Assert.Equal("canary", Assert.Single(host.Errors).TargetObject is TenantMigrationResult r ? r.TenantName : null);
        Assert.Contains(host.Warnings, w => w.Contains("wave canary did not pass its gate", StringComparison.Ordinal));
        Assert.Contains(host.Warnings, w => w.Contains("stopped at a wave gate: 2 tenants not started", StringComparison.Ordinal));
        Assert.False(File.Exists(fleet.DatabasePath("b")));
        Assert.False(File.Exists(fleet.DatabasePath("c")));
    }

    [Fact]
    public void Excluded_tenants_and_other_partitions_are_neither_asked_about_nor_touched()
    {
        fleet.WriteStandardMigrations();
        var names = Enumerable.Range(1, 12).Select(i => $"t{i:00}").ToArray();
        var partition = new TenantPartition(1, 2);
        var host = new FakeHost();

        var summary = Command(fleet.Tenants(names), host, new RolloutOptions { Partition = partition, Exclude = ["t0*"] }).Run(host);

        var expected = names.Where(n => !n.StartsWith("t0", StringComparison.Ordinal) && partition.Contains(new Tenant { Name = n })).ToList();
        Assert.Equal(expected, host.Asked.Select(a => a.Target.Split(' ')[0]).Order());
        Assert.Equal(expected.Count, summary.Total);
        Assert.All(names.Except(expected), n => Assert.False(File.Exists(fleet.DatabasePath(n)), n));
    }
}

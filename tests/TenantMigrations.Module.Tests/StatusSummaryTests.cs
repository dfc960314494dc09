using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Commands;
using TenantMigrations.Engine.Planning;
using TenantMigrations.Module.Tests.Support;

namespace TenantMigrations.Module.Tests;

/// <summary>Get-TenantMigrationStatus -Summary on real SQLite tenants: one cohort per version instead of one status per tenant.</summary>
public sealed class StatusSummaryTests : IDisposable
{
    private readonly SqliteFleet fleet = new();

    public void Dispose() => fleet.Dispose();

    [Fact]
    public void Summary_writes_one_cohort_per_version_and_no_statuses()
    {
        fleet.WriteStandardMigrations();
        var migrate = new TenantMigrationCommand(fleet.Load(), new MigrateOptions { CreateMissing = true });
        var migrateHost = new FakeHost();
        foreach (var tenant in fleet.Tenants("acme", "globex")) migrate.Add(tenant, migrateHost);
        migrate.Run(migrateHost);
        var host = new FakeHost();
        var command = new TenantStatusCommand(fleet.Load(), new PlanOptions(), throttleLimit: 4) { Summary = true };
        foreach (var tenant in fleet.Tenants("acme", "fresh", "globex")) command.Add(tenant, host);

        var statuses = command.Run(host);

        Assert.Equal(3, statuses.Count);
        Assert.Empty(host.ObjectsOf<TenantMigrationStatus>());
        var cohorts = host.ObjectsOf<TenantVersionCohort>().ToList();
        Assert.Equal(["2", null], cohorts.Select(c => c.Version));
        Assert.Equal((2, 2, 0), (cohorts[0].Count, cohorts[0].UpToDate, cohorts[0].Pending));
        Assert.Equal(["acme", "globex"], cohorts[0].Tenants);
        Assert.Equal((1, 1, "1 Pending"), (cohorts[1].Count, cohorts[1].Pending, cohorts[1].States));
        Assert.Equal(0, host.CallsFromOtherThreads);
        Assert.False(File.Exists(fleet.DatabasePath("fresh")));
    }

    [Fact]
    public void Write_Progress_shows_done_of_total_failed_and_in_flight_like_the_command_line()
    {
        fleet.WriteStandardMigrations();
        fleet.Execute("bad", "CREATE TABLE orders (x INTEGER)");
        var host = new FakeHost();
        var command = new TenantMigrationCommand(fleet.Load(), new MigrateOptions { CreateMissing = true, ThrottleLimit = 1 });
        foreach (var tenant in fleet.Tenants("bad", "good")) command.Add(tenant, host);

        command.Run(host);

        var parents = host.Progress.Where(p => p.ActivityId == FleetProgress.ParentId && p.Activity == TenantMigrationCommand.Activity && !p.Completed).Select(p => p.StatusDescription).ToList();
        Assert.Contains(parents, d => d.StartsWith("0 of 2 tenants, 0 failed, 1 in flight", StringComparison.Ordinal));
        Assert.Contains(parents, d => d.StartsWith("1 of 2 tenants, 1 failed, 0 in flight, about ", StringComparison.Ordinal));
        Assert.Contains("2 of 2 tenants, 1 failed, 0 in flight", parents);
        Assert.Contains(host.Progress, p => p.ActivityId == FleetProgress.ParentId && p.SecondsRemaining >= 0);
    }
}

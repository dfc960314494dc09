using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Commands;
using TenantMigrations.Engine.Rollouts.RunRecords;
using TenantMigrations.Module.Tests.Support;

namespace TenantMigrations.Module.Tests;

/// <summary>Invoke-TenantMigration's run record and Get-TenantMigrationRun's logic on real SQLite tenants.</summary>
public sealed class RunRecordCommandTests : IDisposable
{
    private readonly SqliteFleet fleet = new();

    public void Dispose() => fleet.Dispose();

    private RunStore Store => RunStore.Resolve(fleet.Folder.Combine("runs"), fleet.Folder.Path);

    private FakeHost Migrate(RunRecordRequest request, params string[] names)
    {
        var host = new FakeHost();
        using var command = new TenantMigrationCommand(fleet.Load(), new MigrateOptions { CreateMissing = true, RunId = request.RunId }) { RunRecord = request };
        foreach (var name in names) command.Add(fleet.Tenant(name), host);
        command.Run(host);
        return host;
    }

    [Fact]
    public void Up_to_date_blocked_and_migrated_tenants_are_recorded_and_the_run_reads_back_as_typed_objects()
    {
        fleet.WriteStandardMigrations();
        Migrate(RunRecordRequest.NewRun(Store, new Dictionary<string, string>()), "current");
        fleet.Folder.Write("data/broken.db", "not a database at all, just some text\n");
        var request = RunRecordRequest.NewRun(Store, new Dictionary<string, string> { ["throttle"] = "4" });

        var migrated = Migrate(request, "current", "fresh", "broken");

        Assert.All(migrated.ObjectsOf<TenantMigrationResult>(), r => Assert.Equal(request.RunId, r.RunId));
        var host = new FakeHost();
        new RunRecordsCommand(Store).Get(host, request.RunId);
        var run = Assert.Single(host.ObjectsOf<TenantMigrationRun>());
        Assert.Equal((request.RunId, 3, 2, 1, 0, true), (run.RunId, run.TenantCount, run.Done, run.Failed, run.Left, run.Complete));
        Assert.Equal(TenantRunResult.Blocked, Assert.Single(run.Failures).Result);
        Assert.Equal("InvalidTenant", run.Failures[0].ErrorId);
        Assert.Equal(["1", "2"], run.Tenants.Single(t => t.TenantName == "fresh").Applied);
        Assert.Empty(run.Tenants.Single(t => t.TenantName == "current").Applied);
        Assert.Equal("4", run.Options["throttle"]);

        var list = new FakeHost();
        new RunRecordsCommand(Store).List(list);
        Assert.Equal(2, list.ObjectsOf<TenantMigrationRun>().Count());
        Assert.Equal(request.RunId, list.ObjectsOf<TenantMigrationRun>().Last().RunId);
    }

    [Fact]
    public void A_resume_skips_done_tenants_before_planning_and_an_unknown_run_is_RunNotFound()
    {
        fleet.WriteStandardMigrations();
        fleet.Folder.Write("data/late.db", "not yet a database\n");
        var first = RunRecordRequest.NewRun(Store, new Dictionary<string, string>());
        Migrate(first, "early", "late");
        File.Delete(fleet.DatabasePath("late"));
        // Were "early" read again, its missing folder would make it fail.
        Directory.Move(fleet.Folder.Combine("data"), fleet.Folder.Combine("moved"));
        Directory.CreateDirectory(fleet.Folder.Combine("data"));

        var resumed = Migrate(RunRecordRequest.ResumeRun(Store, first.RunId, new Dictionary<string, string>()), "early", "late");

        var result = Assert.Single(resumed.ObjectsOf<TenantMigrationResult>());
        Assert.Equal(("late", TenantState.UpToDate), (result.TenantName, result.StateAfter));
        Assert.False(File.Exists(fleet.DatabasePath("early")));
        var host = new FakeHost();
        var missing = Assert.Throws<CommandTerminatingException>(() => new RunRecordsCommand(Store).Get(host, "20260101-000000-00000000"));
        Assert.Equal(RunRecordsCommand.RunNotFound, missing.Error.ErrorId);
        Assert.Contains("run '20260101-000000-00000000'", missing.Error.Message, StringComparison.Ordinal);
    }
}

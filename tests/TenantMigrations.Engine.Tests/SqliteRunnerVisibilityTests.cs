using TenantMigrations.Engine.Dialects.Sqlite;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Planning;

namespace TenantMigrations.Engine.Tests;

/// <summary>On real SQLite files: version cohorts, a no-op migrate that takes no lock, and a Locked tenant that names its holder.</summary>
public sealed class SqliteRunnerVisibilityTests : IDisposable
{
    private readonly TestSupport.TempFolder folder = new();
    private readonly FleetMigrator migrator = new();

    public void Dispose() => folder.Dispose();

    private MigrationSet Migrations()
    {
        folder.Write("migrations/V1__customers.sql", "CREATE TABLE customers (id INTEGER PRIMARY KEY);");
        folder.Write("migrations/V2__orders.sql", "CREATE TABLE orders (id INTEGER PRIMARY KEY);");
        folder.Write("migrations/V3__seed.sql", "INSERT INTO customers (id) VALUES (1);");
        return MigrationSet.Load(folder.Combine("migrations"));
    }

    private List<Tenant> Tenants(params string[] names) =>
        names.Select(n => new Tenant { Name = n, Engine = DatabaseEngine.Sqlite, ConnectionString = $"Data Source={folder.Combine("data", n + ".db")}" }).ToList();

    private Task Migrate(IReadOnlyList<Tenant> tenants, MigrationSet set, string? target = null) =>
        migrator.MigrateAsync(tenants, set, new MigrateOptions { CreateMissing = true, Plan = new PlanOptions { TargetVersion = target is null ? null : MigrationVersion.Parse(target) } }, new RecordingSink());

    private string LockFile(string name) => SqliteDialect.LockPath(folder.Combine("data", name + ".db"));

    [Fact]
    public async Task Status_groups_tenants_into_version_cohorts_highest_first_with_counts_per_state()
    {
        var set = Migrations();
        var tenants = Tenants("a", "b", "c", "d", "e", "f");
        await Migrate(tenants.Take(3).ToList(), set);
        await Migrate([tenants[3], tenants[4]], set, target: "1");
        await using var held = await new SqliteDialect().TryLockAsync(null!, tenants[4], "tenant_migrations_history", TimeSpan.Zero, CancellationToken.None);

        var cohorts = FleetCohorts.Of(await migrator.GetStatusAsync(tenants, set, new PlanOptions()));

        Assert.Equal(["3", "1", null], cohorts.Select(c => c.Version));
        Assert.Equal((3, 3, "3 UpToDate"), (cohorts[0].Count, cohorts[0].UpToDate, cohorts[0].States));
        Assert.Equal(["a", "b", "c"], cohorts[0].Tenants);
        Assert.Equal((2, 1, 1, "1 Pending, 1 Locked"), (cohorts[1].Count, cohorts[1].Pending, cohorts[1].Locked, cohorts[1].States));
        Assert.Equal(["d", "e"], cohorts[1].Tenants);
        Assert.Equal((1, 1, "1 Pending"), (cohorts[2].Count, cohorts[2].Pending, cohorts[2].States));
        Assert.Equal(6, cohorts.Sum(c => c.Count));
    }

    [Fact]
    public async Task A_no_op_migrate_takes_no_lock_on_up_to_date_tenants_and_still_migrates_the_others()
    {
        var set = Migrations();
        var tenants = Tenants("done1", "done2", "behind");
        await Migrate(tenants.Take(2).ToList(), set);
        await Migrate([tenants[2]], set, target: "2");
        Directory.Delete(Path.GetDirectoryName(LockFile("done1"))!, recursive: true);

        var sink = new RecordingSink();
        var summary = await migrator.MigrateAsync(tenants, set, new MigrateOptions { CreateMissing = true }, sink);

        Assert.False(File.Exists(LockFile("done1")), "an up-to-date tenant was locked");
        Assert.False(File.Exists(LockFile("done2")), "an up-to-date tenant was locked");
        Assert.True(File.Exists(LockFile("behind")), "the tenant with work was not locked");
        var results = sink.Results.ToDictionary(r => r.TenantName);
        Assert.Equal((TenantState.UpToDate, TenantState.UpToDate, "3", "3"), (results["done1"].StateBefore, results["done1"].StateAfter, results["done1"].VersionBefore, results["done1"].VersionAfter));
        Assert.True(results["done1"].Succeeded);
        Assert.Equal((TenantState.Pending, TenantState.UpToDate, 1), (results["behind"].StateBefore, results["behind"].StateAfter, results["behind"].Applied.Length));
        Assert.Equal((3, 3, 1), (summary.Total, summary.Succeeded, summary.MigrationsApplied));
    }

    [Fact]
    public async Task A_locked_tenant_names_the_host_process_and_run_that_hold_it()
    {
        var set = Migrations();
        var tenants = Tenants("busy");
        await Migrate(tenants, set);
        var holderNote = LockFile("busy") + ".holder";
        await using (var held = await new SqliteDialect().TryLockAsync(null!, tenants[0], "tenant_migrations_history", TimeSpan.Zero, CancellationToken.None, runId: "run-sqlite-1"))
        {
            Assert.NotNull(held);
            var expected = $"locked by tenantmigrations/run-sqlite-1 on host {Environment.MachineName} pid {Environment.ProcessId} since 20";

            var status = (await migrator.GetStatusAsync(tenants, set, new PlanOptions())).Single();
            Assert.Equal(TenantState.Locked, status.State);
            Assert.Contains(expected, status.Message, StringComparison.Ordinal);

            var sink = new RecordingSink();
            await migrator.MigrateAsync(tenants, set, new MigrateOptions { CreateMissing = true, LockTimeout = TimeSpan.FromMilliseconds(100) }, sink);
            var locked = sink.Results.Single();
            Assert.Equal((TenantState.Locked, ErrorIds.TenantLocked), (locked.StateAfter, locked.Error!.ErrorId));
            Assert.Contains(expected, locked.Error.Message, StringComparison.Ordinal);
            Assert.True(File.Exists(holderNote));
        }
        Assert.False(File.Exists(holderNote), "the holder's note outlived its lock");
        Assert.Equal(TenantState.UpToDate, (await migrator.GetStatusAsync(tenants, set, new PlanOptions())).Single().State);
    }
}

using TenantMigrations.Engine;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Commands;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Module.Tests.Support;

namespace TenantMigrations.Module.Tests;

/// <summary>Repair-TenantMigration's logic against real SQLite journals.</summary>
public sealed class RepairTests : IDisposable
{
    private readonly SqliteFleet fleet = new();

    public void Dispose() => fleet.Dispose();

    private void Migrate(params string[] names)
    {
        var host = new FakeHost();
        var command = new TenantMigrationCommand(fleet.Load(), new MigrateOptions { CreateMissing = true });
        foreach (var name in names) command.Add(fleet.Tenant(name), host);
        command.Run(host);
    }

    private IReadOnlyList<TenantRepairResult> Repair(FakeHost host, params string[] names)
    {
        var command = new RepairCommand(fleet.Load(), TimeSpan.FromSeconds(2));
        foreach (var name in names) command.Add(fleet.Tenant(name), host);
        return command.Run(host);
    }

    private TenantMigrationStatus Status(string name) =>
        new FleetMigrator().GetStatusAsync([fleet.Tenant(name)], fleet.Load(), new()).GetAwaiter().GetResult().Single();

    [Fact]
    public void Failed_rows_are_removed_so_the_migration_runs_again()
    {
        fleet.WriteStandardMigrations();
        fleet.WriteMigration("V3__broken.sql", "-- tm:transaction=false\nCREATE TABLE broken (id INTEGER PRIMARY KEY);\nINSERT INTO nowhere VALUES (1);");
        Migrate("a");
        Assert.Equal(TenantState.Failed, Status("a").State);
        fleet.Execute("a", "DROP TABLE broken");
        fleet.WriteMigration("V3__broken.sql", "-- tm:transaction=false\nCREATE TABLE broken (id INTEGER PRIMARY KEY);");
        var host = new FakeHost();

        var result = Assert.Single(Repair(host, "a"));

        Assert.Equal(["3"], result.RemovedFailed);
        Assert.Equal(TenantState.Failed, result.StateBefore);
        Assert.Equal(TenantState.Pending, result.StateAfter);
        Assert.Contains("remove failed journal rows of 3", Assert.Single(host.Asked).Action, StringComparison.Ordinal);
        Assert.DoesNotContain(fleet.Journal("a"), row => row.State == "failed");
        Migrate("a");
        Assert.Equal(TenantState.UpToDate, Status("a").State);
    }

    [Fact]
    public void Incomplete_rows_are_removed()
    {
        fleet.WriteStandardMigrations();
        Migrate("a");
        fleet.Execute("a", $"INSERT INTO {MigrationSettings.DefaultJournalTable} (installed_rank, version, description, kind, checksum, state, started_at) VALUES (99, '3', 'ghost', 'versioned', 'x', 'running', '2026-01-01 00:00:00')");
        Assert.Equal(TenantState.Incomplete, Status("a").State);

        var result = Assert.Single(Repair(new FakeHost(), "a"));

        Assert.Equal(["3"], result.RemovedIncomplete);
        Assert.Equal(TenantState.UpToDate, result.StateAfter);
        Assert.True(result.Changed);
    }

    [Fact]
    public void Checksums_of_edited_applied_files_are_realigned()
    {
        fleet.WriteStandardMigrations();
        Migrate("a");
        fleet.WriteMigration("V1__create_customers.sql", "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL); -- reviewed");
        Assert.Equal(TenantState.Drifted, Status("a").State);

        var result = Assert.Single(Repair(new FakeHost(), "a"));

        Assert.Equal(["1"], result.RealignedChecksums);
        Assert.Equal(TenantState.UpToDate, result.StateAfter);
        Assert.Equal(fleet.Load().Versioned[0].Files[0].Checksum, fleet.Journal("a")[0].Checksum);
    }

    [Fact]
    public void A_declined_repair_changes_nothing()
    {
        fleet.WriteStandardMigrations();
        Migrate("a");
        fleet.WriteMigration("V1__create_customers.sql", "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL); -- edited");
        var before = fleet.Journal("a");

        var results = Repair(new FakeHost { Approve = (_, _) => false }, "a");

        Assert.Empty(results);
        Assert.Equal(before, fleet.Journal("a"));
    }

    [Fact]
    public void A_missing_file_is_reported_as_MissingMigration_and_left_alone()
    {
        fleet.WriteStandardMigrations();
        Migrate("a");
        File.Delete(Path.Combine(fleet.Migrations, "V2__create_orders.sql"));
        var host = new FakeHost();

        var result = Assert.Single(Repair(host, "a"));

        Assert.Equal(["2"], result.MissingFiles);
        Assert.Equal(ErrorIds.MissingMigration, Assert.Single(host.Errors).ErrorId);
        Assert.Empty(host.Asked);
        Assert.Equal(2, fleet.Journal("a").Count);
    }

    [Fact]
    public void A_tenant_without_a_database_is_not_created_by_repair()
    {
        fleet.WriteStandardMigrations();
        var host = new FakeHost();

        var result = Assert.Single(Repair(host, "never"));

        Assert.False(result.Changed);
        Assert.Empty(host.Asked);
        Assert.False(File.Exists(fleet.DatabasePath("never")));
    }
}

using TenantMigrations.Engine;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Commands;
using TenantMigrations.Engine.Planning;
using TenantMigrations.Module.Tests.Support;

namespace TenantMigrations.Module.Tests;

/// <summary>Get-TenantMigrationStatus, Export-TenantMigrationSql and Test-TenantMigration logic on real SQLite tenants.</summary>
public sealed class FleetCommandTests : IDisposable
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

    [Fact]
    public void Status_writes_one_status_per_tenant_without_creating_anything()
    {
        fleet.WriteStandardMigrations();
        Migrate("done");
        var host = new FakeHost();
        var command = new TenantStatusCommand(fleet.Load(), new PlanOptions(), throttleLimit: 4);
        foreach (var tenant in fleet.Tenants("done", "fresh")) command.Add(tenant, host);

        command.Run(host);

        var statuses = host.ObjectsOf<TenantMigrationStatus>().ToDictionary(s => s.TenantName);
        Assert.Equal(TenantState.UpToDate, statuses["done"].State);
        Assert.Equal("2", statuses["done"].CurrentVersion);
        Assert.Equal(TenantState.Pending, statuses["fresh"].State);
        Assert.Equal(2, statuses["fresh"].PendingCount);
        Assert.False(File.Exists(fleet.DatabasePath("fresh")));
        Assert.Equal(0, host.CallsFromOtherThreads);
        Assert.Contains(host.Progress, p => p.Completed);
    }

    [Fact]
    public void Export_writes_one_file_per_tenant_with_the_resolved_sql()
    {
        fleet.WriteMigration("V1__seed.sql", "CREATE TABLE t (name TEXT); INSERT INTO t VALUES ('${tenant}');");
        var output = fleet.Folder.Combine("review");
        var host = new FakeHost();
        var command = new ScriptExportCommand(fleet.Load(), new PlanOptions(), 4, output, force: false);
        foreach (var tenant in fleet.Tenants("acme", "globex")) command.Add(tenant, host);

        command.Run(host);

        var scripts = host.ObjectsOf<TenantMigrationScript>().ToList();
        Assert.Equal(2, scripts.Count);
        var acme = File.ReadAllText(Path.Combine(output, "acme.sql"));
        Assert.Contains("INSERT INTO t VALUES ('acme')", acme, StringComparison.Ordinal);
        Assert.Contains("tenant_migrations_history", acme, StringComparison.Ordinal);
        Assert.Equal(Path.Combine(output, "acme.sql"), scripts.Single(s => s.TenantName == "acme").Path);
        Assert.False(File.Exists(fleet.DatabasePath("acme")));
    }

    [Fact]
    public void Export_does_not_overwrite_without_force()
    {
        fleet.WriteStandardMigrations();
        var output = fleet.Folder.Combine("review");
        fleet.Folder.Write(Path.Combine("review", "acme.sql"), "keep me");
        var host = new FakeHost();
        var command = new ScriptExportCommand(fleet.Load(), new PlanOptions(), 4, output, force: false);
        command.Add(fleet.Tenant("acme"), host);

        command.Run(host);

        Assert.Equal(CommandErrorIds.MigrationFileExists, Assert.Single(host.Errors).ErrorId);
        Assert.Equal("keep me", File.ReadAllText(Path.Combine(output, "acme.sql")));
    }

    [Fact]
    public void Export_of_a_drifted_tenant_is_an_object_with_its_problem_and_an_error()
    {
        fleet.WriteStandardMigrations();
        Migrate("a");
        fleet.WriteMigration("V2__create_orders.sql", "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL, note TEXT);");
        var host = new FakeHost();
        var command = new ScriptExportCommand(fleet.Load(), new PlanOptions(), 4, null, force: false);
        command.Add(fleet.Tenant("a"), host);

        command.Run(host);

        Assert.NotNull(Assert.Single(host.ObjectsOf<TenantMigrationScript>()).Problem);
        Assert.Equal(ErrorIds.ChecksumMismatch, Assert.Single(host.Errors).ErrorId);
    }

    [Fact]
    public void Test_passes_clean_and_pending_tenants_and_fails_drifted_ones()
    {
        fleet.WriteStandardMigrations();
        Migrate("clean", "drifted");
        fleet.Execute("drifted", $"UPDATE tenant_migrations_history SET checksum = 'edited' WHERE version = '1'");
        var host = new FakeHost();
        var command = new MigrationTestCommand(fleet.Load(), new PlanOptions(), 4);
        foreach (var tenant in fleet.Tenants("clean", "drifted", "fresh")) command.Add(tenant, host);

        var results = command.Run(host).ToDictionary(r => r.TenantName);

        Assert.True(results["clean"].Passed);
        Assert.True(results["fresh"].Passed);
        Assert.False(results["drifted"].Passed);
        Assert.Contains(results["drifted"].Problems, p => p.Contains("checksum", StringComparison.Ordinal));
        Assert.Equal(3, host.ObjectsOf<TenantMigrationTestResult>().Count());
    }

    [Fact]
    public void Judge_flags_out_of_order_versions_unless_allowed()
    {
        var status = new TenantMigrationStatus { Tenant = new Tenant { Name = "a" }, State = TenantState.Pending, Pending = ["1.5"], OutOfOrder = ["1.5"] };

        Assert.False(MigrationTestCommand.Judge(status, allowOutOfOrder: false).Passed);
        Assert.True(MigrationTestCommand.Judge(status, allowOutOfOrder: true).Passed);
    }

    [Fact]
    public void Status_and_test_results_come_back_in_input_order()
    {
        fleet.WriteStandardMigrations();
        var names = new[] { "m", "c", "x", "a", "q", "b", "z", "k", "e", "t", "h", "o" };
        Migrate("c", "q", "k");
        var statusHost = new FakeHost();
        var status = new TenantStatusCommand(fleet.Load(), new PlanOptions(), throttleLimit: 4);
        foreach (var tenant in fleet.Tenants(names)) status.Add(tenant, statusHost);
        var testHost = new FakeHost();
        var test = new MigrationTestCommand(fleet.Load(), new PlanOptions(), 4);
        foreach (var tenant in fleet.Tenants(names)) test.Add(tenant, testHost);

        var returned = status.Run(statusHost);
        test.Run(testHost);

        Assert.Equal(names, statusHost.ObjectsOf<TenantMigrationStatus>().Select(s => s.TenantName));
        Assert.Equal(names, returned.Select(s => s.TenantName));
        Assert.Equal(names, testHost.ObjectsOf<TenantMigrationTestResult>().Select(r => r.TenantName));
    }

    [Fact]
    public void Input_order_releases_each_item_once_every_earlier_tenant_is_done()
    {
        var order = new InputOrder<string>(fleet.Tenants("a", "b", "c"));

        Assert.Empty(order.Finished("c", "C"));
        Assert.Empty(order.Finished("B", "B"));
        Assert.Equal(["A", "B", "C"], order.Finished("a", "A"));
    }
}

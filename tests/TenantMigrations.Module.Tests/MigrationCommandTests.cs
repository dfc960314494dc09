using TenantMigrations.Engine;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Commands;
using TenantMigrations.Module.Tests.Support;

namespace TenantMigrations.Module.Tests;

/// <summary>The behaviour behind Invoke-TenantMigration, through a fake host and real SQLite files.</summary>
public sealed class MigrationCommandTests : IDisposable
{
    private readonly SqliteFleet fleet = new();

    public void Dispose() => fleet.Dispose();

    private TenantMigrationCommand Command(IEnumerable<Tenant> tenants, FakeHost host, int throttleLimit = 4)
    {
        var command = new TenantMigrationCommand(fleet.Load(), new MigrateOptions { CreateMissing = true, ThrottleLimit = throttleLimit, LockTimeout = TimeSpan.FromSeconds(2) });
        foreach (var tenant in tenants) command.Add(tenant, host);
        return command;
    }

    [Fact]
    public void Approved_tenants_are_migrated_and_each_result_is_written()
    {
        fleet.WriteStandardMigrations();
        var host = new FakeHost();

        var summary = Command(fleet.Tenants("a", "b", "c"), host).Run(host);

        Assert.Equal(3, summary.Succeeded);
        var results = host.ObjectsOf<TenantMigrationResult>().ToList();
        Assert.Equal(["a", "b", "c"], results.Select(r => r.TenantName).Order());
        Assert.All(results, r => Assert.Equal(["1", "2"], r.Applied.Select(a => a.Version)));
        Assert.Empty(host.Errors);
        Assert.All(["a", "b", "c"], name => Assert.True(fleet.TableExists(name, "orders")));
        Assert.Equal(0, host.CallsFromOtherThreads);
    }

    [Fact]
    public void One_ShouldProcess_per_tenant_names_the_versions_it_would_apply()
    {
        fleet.WriteStandardMigrations();
        var host = new FakeHost { Approve = (_, _) => false };

        Command(fleet.Tenants("a", "b"), host).Run(host);

        Assert.Equal(2, host.Asked.Count);
        Assert.Contains(host.Asked, a => a.Target == "a (Sqlite)" && a.Action.Contains("Apply 2 migration(s): 1, 2", StringComparison.Ordinal));
        Assert.Contains(host.Asked, a => a.Target == "b (Sqlite)");
    }

    [Fact]
    public void Declined_tenants_are_not_touched_at_all()
    {
        fleet.WriteStandardMigrations();
        var host = new FakeHost { Approve = (target, _) => target.StartsWith("b ", StringComparison.Ordinal) };

        var summary = Command(fleet.Tenants("a", "b", "c"), host).Run(host);

        Assert.Equal(1, summary.Total);
        Assert.Equal("b", Assert.Single(host.ObjectsOf<TenantMigrationResult>()).TenantName);
        Assert.True(fleet.TableExists("b", "orders"));
        // Not even the SQLite file or the journal exists for a declined tenant (what -WhatIf promises).
        Assert.False(File.Exists(fleet.DatabasePath("a")));
        Assert.False(File.Exists(fleet.DatabasePath("c")));
    }

    [Fact]
    public void WhatIf_on_existing_tenants_changes_nothing()
    {
        fleet.WriteMigration("V1__create_customers.sql", "CREATE TABLE customers (id INTEGER PRIMARY KEY);");
        Command(fleet.Tenants("a"), new FakeHost()).Run(new FakeHost());
        fleet.WriteMigration("V2__create_orders.sql", "CREATE TABLE orders (id INTEGER PRIMARY KEY);");
        var before = fleet.Journal("a");
        var host = new FakeHost { Approve = (_, _) => false };

        Command(fleet.Tenants("a"), host).Run(host);

        Assert.Contains("Apply 1 migration(s): 2 (current version: 1)", Assert.Single(host.Asked).Action, StringComparison.Ordinal);
        Assert.Equal(before, fleet.Journal("a"));
        Assert.False(fleet.TableExists("a", "orders"));
        Assert.Empty(host.Objects);
    }

    [Fact]
    public void A_failing_tenant_is_a_result_and_an_error_while_the_others_succeed()
    {
        fleet.WriteStandardMigrations();
        fleet.Execute("bad", "CREATE TABLE orders (id INTEGER PRIMARY KEY);");
        var host = new FakeHost();

        var summary = Command(fleet.Tenants("good1", "bad", "good2"), host).Run(host);

        Assert.Equal(2, summary.Succeeded);
        Assert.Equal(1, summary.Failed);
        var error = Assert.Single(host.Errors);
        Assert.Equal(ErrorIds.MigrationFailed, error.ErrorId);
        Assert.Equal("InvalidOperation", error.Category);
        var target = Assert.IsType<TenantMigrationResult>(error.TargetObject);
        Assert.Equal("bad", target.TenantName);
        Assert.Equal(TenantState.Failed, target.StateAfter);
        var exception = Assert.IsType<TenantMigrationException>(error.Exception);
        Assert.Equal(ErrorIds.MigrationFailed, exception.ErrorId);
        Assert.Contains(host.ObjectsOf<TenantMigrationResult>(), r => r.TenantName == "bad" && !r.Succeeded);
        Assert.True(fleet.TableExists("good1", "orders"));
        Assert.True(fleet.TableExists("good2", "orders"));
        // The result comes before its error, so -ErrorAction Stop still lets the result out first.
        Assert.True(host.Calls.IndexOf(host.Calls.First(c => c.StartsWith("Object bad", StringComparison.Ordinal))) < host.Calls.IndexOf("Error MigrationFailed"));
    }

    [Fact]
    public void A_drifted_tenant_is_blocked_with_ChecksumMismatch_without_asking()
    {
        fleet.WriteStandardMigrations();
        Command(fleet.Tenants("drifted", "fine"), new FakeHost()).Run(new FakeHost());
        fleet.WriteMigration("V1__create_customers.sql", "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT);");
        fleet.WriteMigration("V3__more.sql", "CREATE TABLE more (id INTEGER PRIMARY KEY);");
        var host = new FakeHost();

        Command([fleet.Tenant("drifted")], host).Run(host);

        var error = Assert.Single(host.Errors);
        Assert.Equal(ErrorIds.ChecksumMismatch, error.ErrorId);
        Assert.Equal("InvalidData", error.Category);
        Assert.Empty(host.Asked);
        Assert.False(fleet.TableExists("drifted", "more"));
        Assert.Equal(TenantState.Drifted, Assert.Single(host.ObjectsOf<TenantMigrationResult>()).StateAfter);
    }

    [Fact]
    public void An_up_to_date_tenant_is_reported_without_asking_or_erroring()
    {
        fleet.WriteStandardMigrations();
        Command(fleet.Tenants("a"), new FakeHost()).Run(new FakeHost());
        var host = new FakeHost();

        Command(fleet.Tenants("a"), host).Run(host);

        Assert.Empty(host.Asked);
        Assert.Empty(host.Errors);
        var result = Assert.Single(host.ObjectsOf<TenantMigrationResult>());
        Assert.Equal(TenantState.UpToDate, result.StateAfter);
        Assert.True(result.Succeeded);
    }

    [Fact]
    public void Results_are_written_as_each_tenant_finishes_not_at_the_end()
    {
        fleet.WriteMigration("V1__work.sql", "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300000) SELECT count(*) FROM c;");
        var names = Enumerable.Range(1, 6).Select(i => $"t{i}").ToArray();
        var host = new FakeHost();
        var databasesWhenFirstResultWasWritten = -1;
        host.OnWriteObject = _ =>
        {
            if (databasesWhenFirstResultWasWritten < 0) databasesWhenFirstResultWasWritten = names.Count(n => File.Exists(fleet.DatabasePath(n)));
        };

        Command(fleet.Tenants(names), host, throttleLimit: 1).Run(host);

        Assert.Equal(6, host.ObjectsOf<TenantMigrationResult>().Count());
        // One tenant at a time: when the first result reached the host, the later tenants had not even started.
        Assert.InRange(databasesWhenFirstResultWasWritten, 1, 2);
        Assert.Equal(0, host.CallsFromOtherThreads);
    }

    [Fact]
    public void Cancelling_stops_starting_tenants_and_leaves_them_untouched()
    {
        fleet.WriteMigration("V1__work.sql", "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300000) SELECT count(*) FROM c;");
        var names = Enumerable.Range(1, 12).Select(i => $"t{i:00}").ToArray();
        var host = new FakeHost();
        var command = Command(fleet.Tenants(names), host, throttleLimit: 1);
        host.OnWriteObject = _ => command.Cancel();

        var summary = command.Run(host);

        Assert.True(summary.Cancelled);
        var finished = host.ObjectsOf<TenantMigrationResult>().Count();
        Assert.InRange(finished, 1, 3);
        Assert.True(summary.Skipped >= names.Length - 3);
        Assert.Contains(names, n => !File.Exists(fleet.DatabasePath(n)));
        Assert.Contains(host.Progress, p => p.ActivityId == FleetProgress.ParentId && p.Completed);
    }

    [Fact]
    public void Progress_has_a_parent_for_the_fleet_and_a_child_for_the_tenants_in_flight_both_completed()
    {
        fleet.WriteStandardMigrations();
        var host = new FakeHost();

        Command(fleet.Tenants("a", "b"), host).Run(host);

        Assert.Contains(host.Progress, p => p.ActivityId == FleetProgress.ParentId && p.Activity == TenantMigrationCommand.Activity && p.StatusDescription == "2 of 2 tenants");
        Assert.Contains(host.Progress, p => p.ActivityId == FleetProgress.ChildId && p.ParentActivityId == FleetProgress.ParentId);
        var last = host.Progress.TakeLast(2).ToList();
        Assert.All(last, p => Assert.True(p.Completed));
    }

    [Fact]
    public void A_tenant_given_twice_is_reported_once_as_DuplicateTenant()
    {
        fleet.WriteStandardMigrations();
        var host = new FakeHost();

        var summary = Command([fleet.Tenant("a"), fleet.Tenant("A")], host).Run(host);

        Assert.Equal(CommandErrorIds.DuplicateTenant, Assert.Single(host.Errors).ErrorId);
        Assert.Equal(1, summary.Total);
    }

    [Fact]
    public void An_unreachable_tenant_is_a_TenantUnreachable_error()
    {
        fleet.WriteStandardMigrations();
        var unreachable = new Tenant { Name = "gone", Engine = DatabaseEngine.Postgres, ConnectionString = "Host=127.0.0.1;Port=1;Database=x;Username=u;Password=secret-pw;Timeout=1" };
        var host = new FakeHost();
        var command = new TenantMigrationCommand(fleet.Load(), new MigrateOptions { CreateMissing = true, MaxAttempts = 1 });
        command.Add(unreachable, host);

        command.Run(host);

        var error = Assert.Single(host.Errors);
        Assert.Equal(ErrorIds.TenantUnreachable, error.ErrorId);
        Assert.Equal("ConnectionError", error.Category);
        Assert.DoesNotContain("secret-pw", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_a_database_is_that_tenants_error_and_the_others_migrate()
    {
        fleet.WriteStandardMigrations();
        fleet.Folder.Write(Path.Combine("data", "broken.db"), "This file is a text file, not a SQLite database. It is long enough to have a header.");
        var host = new FakeHost();

        Command(fleet.Tenants("good1", "broken", "good2", "good3"), host).Run(host);

        Assert.All(["good1", "good2", "good3"], name => Assert.True(fleet.TableExists(name, "orders"), name));
        var error = Assert.Single(host.Errors);
        var target = Assert.IsType<TenantMigrationResult>(error.TargetObject);
        Assert.Equal("broken", target.TenantName);
        Assert.False(target.Succeeded);
        Assert.Contains("broken", error.Message, StringComparison.Ordinal);
        Assert.Equal(4, host.ObjectsOf<TenantMigrationResult>().Count());
        Assert.Equal(3, host.ObjectsOf<TenantMigrationResult>().Count(r => r.Succeeded));
    }

    [Fact]
    public void WhatIf_returns_each_pending_tenants_planned_result_and_changes_nothing()
    {
        fleet.WriteMigration("V1__create_customers.sql", "CREATE TABLE customers (id INTEGER PRIMARY KEY);");
        Command(fleet.Tenants("current", "behind"), new FakeHost()).Run(new FakeHost());
        fleet.WriteMigration("V2__create_orders.sql", "CREATE TABLE orders (id INTEGER PRIMARY KEY);");
        Command(fleet.Tenants("current"), new FakeHost()).Run(new FakeHost());
        var host = new FakeHost { WhatIf = true };

        Command(fleet.Tenants("current", "behind", "fresh"), host).Run(host);

        var results = host.ObjectsOf<TenantMigrationResult>().ToDictionary(r => r.TenantName);
        Assert.Equal(3, results.Count);
        Assert.Equal(TenantState.UpToDate, results["current"].StateAfter);
        var behind = results["behind"];
        Assert.True(behind.DryRun);
        Assert.Equal(["2"], behind.Planned.Select(p => p.Version));
        Assert.Empty(behind.Applied);
        Assert.Equal(TenantState.Pending, behind.StateBefore);
        Assert.Equal(TenantState.Pending, behind.StateAfter);
        Assert.Equal("1", behind.VersionAfter);
        var fresh = results["fresh"];
        Assert.True(fresh.DryRun);
        Assert.Equal(["1", "2"], fresh.Planned.Select(p => p.Version));
        Assert.Null(fresh.VersionAfter);
        Assert.Empty(host.Errors);
        Assert.Equal(2, host.Asked.Count);
        Assert.False(fleet.TableExists("behind", "orders"));
        Assert.False(File.Exists(fleet.DatabasePath("fresh")));
    }

    [Fact]
    public void A_declined_tenant_is_not_returned_as_a_planned_result()
    {
        fleet.WriteStandardMigrations();
        var host = new FakeHost { Approve = (_, _) => false };

        Command(fleet.Tenants("a"), host).Run(host);

        Assert.Empty(host.Objects);
        Assert.Contains(host.Verbose, v => v.StartsWith("a: skipped", StringComparison.Ordinal));
    }

    [Fact]
    public void Transient_retries_are_verbose_with_one_warning_at_the_end()
    {
        fleet.WriteStandardMigrations();
        var unreachable = new Tenant { Name = "gone", Engine = DatabaseEngine.Postgres, ConnectionString = $"Host=127.0.0.1;Port={TestSupport.PostgresServer.FreePort()};Database=x;Username=u;Password=secret-pw;Timeout=1" };
        var host = new FakeHost();
        var command = new TenantMigrationCommand(fleet.Load(), new MigrateOptions { CreateMissing = true, MaxAttempts = 3, RetryBaseDelay = TimeSpan.FromMilliseconds(10) });
        command.Add(unreachable, host);
        command.Add(fleet.Tenant("fine"), host);

        command.Run(host);

        var warning = Assert.Single(host.Warnings);
        Assert.Contains("gone", warning, StringComparison.Ordinal);
        Assert.DoesNotContain("fine", warning, StringComparison.Ordinal);
        Assert.Equal(2, host.Verbose.Count(v => v.StartsWith("gone: transient error", StringComparison.Ordinal)));
        Assert.Equal(ErrorIds.TenantUnreachable, Assert.Single(host.Errors).ErrorId);
        Assert.True(fleet.TableExists("fine", "orders"));
    }

    [Fact]
    public void A_pipeline_row_that_is_not_a_tenant_is_its_own_InvalidTenant_error_and_the_others_run()
    {
        fleet.WriteStandardMigrations();
        var row = new Dictionary<string, object?> { ["Name"] = "half", ["Engine"] = "sqlite" };
        var problem = Assert.Throws<TenantMigrations.Engine.Tenants.TenantSourceException>(() => TenantInput.FromProperties(row, fleet.Folder.Path)).Message;
        var host = new FakeHost();
        var command = Command([], host);

        command.Add(TenantInput.Invalid(row, "half", problem), host);
        command.Add(fleet.Tenant("whole"), host);
        command.Run(host);

        var error = Assert.Single(host.Errors);
        Assert.Equal(ErrorIds.InvalidTenant, error.ErrorId);
        Assert.Equal("InvalidArgument", error.Category);
        Assert.Same(row, error.TargetObject);
        Assert.Contains("'half'", error.Message, StringComparison.Ordinal);
        Assert.Contains("connectionString", error.Message, StringComparison.Ordinal);
        Assert.Equal("whole", Assert.Single(command.Tenants).Name);
        Assert.True(fleet.TableExists("whole", "orders"));
    }
}

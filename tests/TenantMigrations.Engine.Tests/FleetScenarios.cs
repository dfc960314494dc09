using System.Data.Common;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Planning;
using TenantMigrations.TestSupport;

namespace TenantMigrations.Engine.Tests;

/// <summary>Scenarios every engine must pass, run against real databases by each engine's subclass.</summary>
public abstract partial class FleetScenarios : IDisposable
{
    protected readonly TempFolder Folder = new();
    protected readonly FleetMigrator Migrator = new();

    protected abstract DatabaseEngine Engine { get; }

    /// <summary>Fresh, empty tenants for one test.</summary>
    protected abstract Task<IReadOnlyList<Tenant>> CreateTenantsAsync(int count);

    protected abstract Task<bool> TableExistsAsync(Tenant tenant, string table);

    /// <summary>An open connection to the tenant, with unqualified names resolving inside it.</summary>
    protected abstract Task<DbConnection> OpenAsync(Tenant tenant);

    /// <summary>(version, state, checksum) of each journal row, oldest first.</summary>
    protected async Task<IReadOnlyList<(string? Version, string State, string? Checksum)>> JournalAsync(Tenant tenant)
    {
        await using var connection = await OpenAsync(tenant);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT version, state, checksum FROM tenant_migrations_history ORDER BY installed_rank";
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string?, string, string?)>();
        while (await reader.ReadAsync()) rows.Add((reader.IsDBNull(0) ? null : reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
        return rows;
    }

    /// <summary>The first value of a query as text; null for NULL, no row, or an error (a missing table).</summary>
    protected async Task<string?> ScalarAsync(Tenant tenant, string sql)
    {
        await using var connection = await OpenAsync(tenant);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        try
        {
            return await command.ExecuteScalarAsync() is { } value and not DBNull ? Convert.ToString(value) : null;
        }
        catch (DbException)
        {
            return null;
        }
    }

    public virtual void Dispose() => Folder.Dispose();

    protected string Migrations => Folder.Combine("migrations");

    protected void WriteMigration(string fileName, string sql) => Folder.Write(Path.Combine("migrations", fileName), sql);

    protected void WriteStandardMigrations()
    {
        WriteMigration("V1__create_customers.sql", "CREATE TABLE customers (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL);");
        WriteMigration("V2__create_orders.sql", "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL);\nCREATE INDEX ix_orders_customer ON orders (customer_id);");
        WriteMigration("V3__seed.sql", "INSERT INTO customers (id, name) VALUES (1, '${tenant}');");
    }

    protected async Task<(MigrationRunSummary Summary, IReadOnlyList<TenantMigrationResult> Results)> MigrateAsync(
        IReadOnlyList<Tenant> tenants, MigrateOptions? options = null, CancellationToken cancellationToken = default, RecordingSink? sink = null)
    {
        sink ??= new RecordingSink();
        var summary = await Migrator.MigrateAsync(tenants, MigrationSet.Load(Migrations), options ?? new MigrateOptions { CreateMissing = true, LockTimeout = TimeSpan.FromSeconds(2) }, sink, cancellationToken);
        return (summary, sink.Results);
    }

    protected async Task<IReadOnlyList<TenantMigrationStatus>> StatusAsync(IReadOnlyList<Tenant> tenants, PlanOptions? options = null) =>
        await Migrator.GetStatusAsync(tenants, MigrationSet.Load(Migrations), options ?? new PlanOptions());

    [Fact]
    public async Task Fresh_migrate_applies_everything_and_journals_it()
    {
        WriteStandardMigrations();
        var tenants = await CreateTenantsAsync(3);

        var (summary, results) = await MigrateAsync(tenants);

        Assert.Equal(3, summary.Succeeded);
        Assert.Equal(9, summary.MigrationsApplied);
        foreach (var tenant in tenants)
        {
            Assert.True(await TableExistsAsync(tenant, "orders"));
            Assert.Equal(tenant.Name, await ScalarAsync(tenant, "SELECT name FROM customers WHERE id = 1"));
            var journal = await JournalAsync(tenant);
            Assert.Equal(["1", "2", "3"], journal.Select(j => j.Version));
            Assert.All(journal, j => Assert.Equal("succeeded", j.State));
            Assert.All(journal, j => Assert.Equal(64, j.Checksum!.Length));
        }
        Assert.All(results, r => Assert.Equal((TenantState.Pending, TenantState.UpToDate, "3"), (r.StateBefore, r.StateAfter, r.VersionAfter)));
        Assert.All(await StatusAsync(tenants), s => Assert.Equal((TenantState.UpToDate, "3", 0), (s.State, s.CurrentVersion, s.PendingCount)));
    }

    [Fact]
    public async Task Rerun_is_a_no_op_and_new_files_apply_on_top()
    {
        WriteStandardMigrations();
        var tenants = await CreateTenantsAsync(2);
        await MigrateAsync(tenants);

        var (again, _) = await MigrateAsync(tenants);
        Assert.Equal(0, again.MigrationsApplied);
        Assert.Equal(2, again.Succeeded);

        WriteMigration("V4__add_email.sql", "ALTER TABLE customers ADD COLUMN email VARCHAR(200);");
        var (more, results) = await MigrateAsync(tenants);
        Assert.Equal(2, more.MigrationsApplied);
        Assert.All(results, r => Assert.Equal("4", r.Applied.Single().Version));
        Assert.Equal(4, (await JournalAsync(tenants[0])).Count);
    }

    [Fact]
    public async Task A_failing_tenant_does_not_stop_the_others_and_its_journal_stays_true()
    {
        WriteStandardMigrations();
        WriteMigration("V4__tenant_specific.sql", "CREATE TABLE extra_${tenant_suffix} (id INTEGER);\nINSERT INTO ${insert_into} (id) VALUES (1);");
        var tenants = await CreateTenantsAsync(3);
        foreach (var tenant in tenants)
        {
            tenant.Properties["tenant_suffix"] = tenant.Name.Replace('-', '_');
            tenant.Properties["insert_into"] = tenant == tenants[1] ? "no_such_table" : $"extra_{tenant.Properties["tenant_suffix"]}";
        }

        var (summary, results) = await MigrateAsync(tenants);

        Assert.Equal(2, summary.Succeeded);
        Assert.Equal(1, summary.Failed);
        var failed = results.Single(r => !r.Succeeded);
        Assert.Equal(tenants[1].Name, failed.TenantName);
        Assert.Equal(ErrorIds.MigrationFailed, failed.Error!.ErrorId);
        Assert.Equal("4", failed.Error.Version);
        Assert.Contains("no_such_table", failed.Error.Message + failed.Error.Statement);
        Assert.Equal(TenantState.Failed, failed.StateAfter);
        Assert.Equal(["1", "2", "3"], failed.Applied.Select(a => a.Version));
        var journal = await JournalAsync(tenants[1]);
        Assert.Equal("failed", journal.Last().State);
        Assert.Equal("4", journal.Last().Version);
        Assert.Equal(3, journal.Count(j => j.State == "succeeded"));
        Assert.True(await TableExistsAsync(tenants[0], $"extra_{tenants[0].Name.Replace('-', '_')}"));
        Assert.True(await TableExistsAsync(tenants[2], $"extra_{tenants[2].Name.Replace('-', '_')}"));

        var status = await StatusAsync(tenants);
        Assert.Equal(TenantState.Failed, status[1].State);
        Assert.Equal(["4"], status[1].Failed);
    }

    [Fact]
    public async Task An_edited_file_is_reported_as_drift_and_blocks_the_tenant()
    {
        WriteStandardMigrations();
        var tenants = await CreateTenantsAsync(1);
        await MigrateAsync(tenants);
        WriteMigration("V2__create_orders.sql", "CREATE TABLE orders (id INTEGER PRIMARY KEY, note TEXT);");
        WriteMigration("V4__more.sql", "CREATE TABLE more_things (id INTEGER);");

        var status = (await StatusAsync(tenants)).Single();
        Assert.Equal(TenantState.Drifted, status.State);
        Assert.Equal(["2: checksum mismatch"], status.Drift);

        var (summary, results) = await MigrateAsync(tenants);
        Assert.Equal(ErrorIds.ChecksumMismatch, results.Single().Error!.ErrorId);
        Assert.Equal(1, summary.Blocked);
        Assert.False(await TableExistsAsync(tenants[0], "more_things"));
    }

    [Fact]
    public async Task Out_of_order_versions_are_blocked_unless_allowed()
    {
        WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);");
        WriteMigration("V3__c.sql", "CREATE TABLE c (id INTEGER);");
        var tenants = await CreateTenantsAsync(1);
        await MigrateAsync(tenants);
        WriteMigration("V2__b.sql", "CREATE TABLE b (id INTEGER);");

        var status = (await StatusAsync(tenants)).Single();
        Assert.Equal(["2"], status.OutOfOrder);
        var (_, blocked) = await MigrateAsync(tenants);
        Assert.Equal(ErrorIds.OutOfOrder, blocked.Single().Error!.ErrorId);
        Assert.False(await TableExistsAsync(tenants[0], "b"));

        var (_, allowed) = await MigrateAsync(tenants, new MigrateOptions { CreateMissing = true, Plan = new PlanOptions { AllowOutOfOrder = true } });
        Assert.True(allowed.Single().Succeeded);
        Assert.True(await TableExistsAsync(tenants[0], "b"));
    }

    [Fact]
    public async Task Target_version_stops_there()
    {
        WriteStandardMigrations();
        var tenants = await CreateTenantsAsync(2);

        var (_, results) = await MigrateAsync(tenants, new MigrateOptions { CreateMissing = true, Plan = new PlanOptions { TargetVersion = MigrationVersion.Parse("2") } });

        Assert.All(results, r => Assert.Equal("2", r.VersionAfter));
        Assert.True(await TableExistsAsync(tenants[0], "orders"));
        Assert.Null(await ScalarAsync(tenants[0], "SELECT name FROM customers WHERE id = 1"));
        Assert.All(await StatusAsync(tenants), s => Assert.Equal((TenantState.Pending, 1), (s.State, s.PendingCount)));
    }

    [Fact]
    public async Task Unknown_placeholders_make_the_tenant_invalid_before_anything_runs()
    {
        WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);");
        WriteMigration("V2__b.sql", "CREATE TABLE b_${region} (id INTEGER);");
        var tenants = await CreateTenantsAsync(2);
        tenants[0].Properties["region"] = "eu";

        var (_, results) = await MigrateAsync(tenants);

        Assert.True(results.Single(r => r.Tenant == tenants[0]).Succeeded);
        Assert.True(await TableExistsAsync(tenants[0], "b_eu"));
        var invalid = results.Single(r => r.Tenant == tenants[1]);
        Assert.Equal(TenantState.Invalid, invalid.StateAfter);
        Assert.Equal(ErrorIds.InvalidMigration, invalid.Error!.ErrorId);
        Assert.Contains("${region}", invalid.Error.Message);
        Assert.False(await TableExistsAsync(tenants[1], "a"));
    }

    [Fact]
    public async Task Engine_variants_replace_the_plain_file_and_a_missing_variant_is_an_error()
    {
        var suffix = Planner.EngineSuffix(Engine);
        WriteMigration("V1__a.sql", "CREATE TABLE plain_a (id INTEGER);");
        WriteMigration($"V1__a.{suffix}.sql", "CREATE TABLE variant_a (id INTEGER);");
        var tenants = await CreateTenantsAsync(1);
        await MigrateAsync(tenants);
        Assert.True(await TableExistsAsync(tenants[0], "variant_a"));
        Assert.False(await TableExistsAsync(tenants[0], "plain_a"));

        var other = Engine == DatabaseEngine.Sqlite ? "postgres" : "sqlite";
        WriteMigration($"V2__only_elsewhere.{other}.sql", "CREATE TABLE elsewhere (id INTEGER);");
        var (_, results) = await MigrateAsync(tenants);
        Assert.Equal(TenantState.Invalid, results.Single().StateAfter);
        Assert.Contains("has no file for", results.Single().Error!.Message);
    }

    [Fact]
    public async Task A_running_row_left_by_a_dead_run_blocks_the_tenant_as_incomplete()
    {
        WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);");
        WriteMigration("V2__b.sql", "-- tm:transaction=false\nCREATE TABLE b (id INTEGER);");
        var tenants = await CreateTenantsAsync(1);
        await MigrateAsync(tenants, new MigrateOptions { CreateMissing = true, Plan = new PlanOptions { TargetVersion = MigrationVersion.Parse("1") } });
        await SimulateCrashedRunAsync(tenants[0], "2");

        Assert.Equal(TenantState.Incomplete, (await StatusAsync(tenants)).Single().State);
        var (_, results) = await MigrateAsync(tenants);
        Assert.Equal(ErrorIds.IncompleteMigration, results.Single().Error!.ErrorId);
        Assert.False(await TableExistsAsync(tenants[0], "b"));
    }

    /// <summary>Leaves a 'running' row behind, as a process killed mid-migration would.</summary>
    protected abstract Task SimulateCrashedRunAsync(Tenant tenant, string version);

    [Fact]
    public async Task A_journal_that_cannot_be_read_is_that_tenants_problem_and_not_its_neighbours()
    {
        WriteStandardMigrations();
        var tenants = await CreateTenantsAsync(3);
        await MigrateAsync(tenants);
        await using (var connection = await OpenAsync(tenants[1]))
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "ALTER TABLE tenant_migrations_history DROP COLUMN script_name";
            await command.ExecuteNonQueryAsync();
        }

        var status = await StatusAsync(tenants);

        Assert.Equal([TenantState.UpToDate, TenantState.Unreachable, TenantState.UpToDate], status.Select(s => s.State));
        Assert.Contains("script_name", status[1].Message);
        Assert.All(new[] { status[0], status[2] }, s => Assert.Equal("3", s.CurrentVersion));
    }

    [Fact]
    public async Task A_dry_run_touches_nothing_not_even_the_journal()
    {
        WriteStandardMigrations();
        var tenants = await CreateTenantsAsync(2);

        var (summary, results) = await MigrateAsync(tenants, new MigrateOptions { CreateMissing = true, DryRun = true });

        Assert.Equal(0, summary.MigrationsApplied);
        Assert.All(results, r => Assert.Equal(["1", "2", "3"], r.Planned.Select(p => p.Version)));
        Assert.All(results, r => Assert.True(r.DryRun));
        foreach (var tenant in tenants)
        {
            Assert.False(await TableExistsAsync(tenant, "customers"));
            Assert.False(await TableExistsAsync(tenant, "tenant_migrations_history"));
        }
    }

    [Fact]
    public async Task Two_runners_on_one_tenant_apply_once_and_the_other_reports_locked()
    {
        WriteMigration("V1__slow.sql", SlowStatement() + ";\nCREATE TABLE once_only (id INTEGER);");
        var tenants = await CreateTenantsAsync(1);
        var options = new MigrateOptions { CreateMissing = true, LockTimeout = TimeSpan.FromMilliseconds(300) };

        var first = MigrateAsync(tenants, options);
        await WaitUntilLockedAsync(tenants, first);
        var second = MigrateAsync(tenants, options);
        var results = (await Task.WhenAll(first, second)).SelectMany(r => r.Results).ToList();

        Assert.Single(results, r => r.Applied.Length == 1);
        var locked = Assert.Single(results, r => r.StateAfter == TenantState.Locked);
        Assert.Equal(ErrorIds.TenantLocked, locked.Error!.ErrorId);
        Assert.Single(await JournalAsync(tenants[0]));
    }

    /// <summary>
    /// Waits until a running migrate holds the tenants' lock, so that a second runner started now meets the lock
    /// however late the loaded machine schedules it.
    /// </summary>
    private async Task WaitUntilLockedAsync(IReadOnlyList<Tenant> tenants, Task running)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((await StatusAsync(tenants)).Any(s => s.State != TenantState.Locked))
        {
            Assert.False(running.IsCompleted, "the first runner ended before its lock was ever seen");
            Assert.True(DateTime.UtcNow < deadline, "the first runner never took the lock");
            await Task.Delay(20);
        }
    }

    /// <summary>A statement that takes a couple of seconds on this engine.</summary>
    protected abstract string SlowStatement();

    [Fact]
    public virtual async Task Cancellation_stops_new_tenants_and_rolls_back_the_one_in_flight()
    {
        WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);");
        WriteMigration("V2__slow.sql", "CREATE TABLE half_done (id INTEGER);\n" + SlowStatement() + ";");
        var tenants = await CreateTenantsAsync(3);
        using var cancellation = new CancellationTokenSource();
        var sink = new RecordingSink
        {
            OnPost = e =>
            {
                if (e is MigrationStarted { Migration.Version: "2" }) cancellation.CancelAfter(TimeSpan.FromMilliseconds(300));
            },
        };

        var (summary, results) = await MigrateAsync(tenants, new MigrateOptions { CreateMissing = true, ThrottleLimit = 1 }, cancellation.Token, sink);

        Assert.True(summary.Cancelled);
        var inFlight = Assert.Single(results);
        Assert.Equal(ErrorIds.Cancelled, inFlight.Error!.ErrorId);
        Assert.False(await TableExistsAsync(inFlight.Tenant, "half_done"));
        Assert.Equal([("1", "succeeded")], (await JournalAsync(inFlight.Tenant)).Select(j => (j.Version, j.State)));
        Assert.Equal(2, summary.Skipped);
        foreach (var untouched in tenants.Where(t => t != inFlight.Tenant)) Assert.False(await TableExistsAsync(untouched, "a"));
    }

    [Fact]
    public async Task Repeatables_rerun_when_their_checksum_changes()
    {
        WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);");
        WriteMigration("R__view.sql", "DROP VIEW IF EXISTS v;\nCREATE VIEW v AS SELECT id FROM a;");
        var tenants = await CreateTenantsAsync(1);
        await MigrateAsync(tenants);
        var (unchanged, _) = await MigrateAsync(tenants);
        Assert.Equal(0, unchanged.MigrationsApplied);

        WriteMigration("R__view.sql", "DROP VIEW IF EXISTS v;\nCREATE VIEW v AS SELECT id, id AS again FROM a;");
        var (changed, results) = await MigrateAsync(tenants);
        Assert.Equal(1, changed.MigrationsApplied);
        Assert.Equal(MigrationKind.Repeatable, results.Single().Applied.Single().Kind);
        Assert.Equal(3, (await JournalAsync(tenants[0])).Count);
    }

    [Fact]
    public async Task Unreachable_tenants_are_reported_and_the_others_still_run()
    {
        WriteStandardMigrations();
        var tenants = (await CreateTenantsAsync(1)).Append(UnreachableTenant()).ToList();

        var (summary, results) = await MigrateAsync(tenants, new MigrateOptions { CreateMissing = true, MaxAttempts = 2, RetryBaseDelay = TimeSpan.FromMilliseconds(10) });

        Assert.Equal(1, summary.Succeeded);
        var unreachable = results.Single(r => r.Tenant == tenants[1]);
        Assert.Contains(unreachable.StateAfter, new[] { TenantState.Unreachable, TenantState.Invalid });
        Assert.NotNull(unreachable.Error);
    }

    protected abstract Tenant UnreachableTenant();
}

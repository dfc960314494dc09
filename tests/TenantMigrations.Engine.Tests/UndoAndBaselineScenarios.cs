using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;

namespace TenantMigrations.Engine.Tests;

/// <summary>Undo with U scripts, baseline and baseline-on-migrate, on every engine.</summary>
public abstract partial class FleetScenarios
{
    private void WriteUndoScripts(bool withUndoOfVersion2 = true)
    {
        WriteMigration("U3__seed.sql", "DELETE FROM customers WHERE id = 1;");
        if (withUndoOfVersion2) WriteMigration("U2__create_orders.sql", "DROP TABLE orders;");
    }

    private static MigrateOptions UndoTo(string target, bool dryRun = false) =>
        new() { LockTimeout = TimeSpan.FromSeconds(2), DryRun = dryRun, Undo = UndoRequest.ToTarget(MigrationVersion.Parse(target)) };

    private Task<string?> CountRowsAsync(Tenant tenant, string kind) =>
        ScalarAsync(tenant, $"SELECT count(*) FROM tenant_migrations_history WHERE kind = '{kind}' AND state = 'succeeded'");

    /// <summary>Tables made by another tool: the schema (PostgreSQL) or file (SQLite) exists, the journal does not.</summary>
    private async Task CreateTablesByHandAsync(Tenant tenant)
    {
        if (tenant.Engine == DatabaseEngine.Sqlite) Directory.CreateDirectory(Path.GetDirectoryName(Dialects.Sqlite.SqliteDialect.DatabasePath(tenant))!);
        var schema = Migrator.DialectFor(tenant).CreateJournalStatements(tenant, "tenant_migrations_history").Where(s => s.StartsWith("CREATE SCHEMA", StringComparison.Ordinal));
        await using var connection = await OpenAsync(tenant);
        foreach (var statement in schema.Concat(["CREATE TABLE customers (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL)", "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL)"]))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = statement;
            await command.ExecuteNonQueryAsync();
        }
    }

    [Fact]
    public async Task Undo_to_a_target_runs_the_U_scripts_highest_first_and_the_versions_are_pending_again()
    {
        WriteStandardMigrations();
        WriteUndoScripts();
        var tenant = (await CreateTenantsAsync(1))[0];
        await MigrateAsync([tenant]);

        var (summary, results) = await MigrateAsync([tenant], UndoTo("1"));

        var result = results.Single();
        Assert.Null(result.Error);
        Assert.Equal(["3", "2"], result.Applied.Select(a => a.Version));
        Assert.All(result.Applied, a => Assert.Equal(MigrationKind.Undo, a.Kind));
        Assert.Equal(("3", "1", TenantState.Pending), (result.VersionBefore, result.VersionAfter, result.StateAfter));
        Assert.Equal(2, summary.MigrationsApplied);
        Assert.False(await TableExistsAsync(tenant, "orders"));
        Assert.True(await TableExistsAsync(tenant, "customers"));
        Assert.Equal("0", await ScalarAsync(tenant, "SELECT count(*) FROM customers"));
        Assert.Equal("2", await CountRowsAsync(tenant, "undo"));
        Assert.Equal(["1", "2", "3", "3", "2"], (await JournalAsync(tenant)).Select(j => j.Version));

        var status = (await StatusAsync([tenant])).Single();
        Assert.Equal((TenantState.Pending, "1"), (status.State, status.CurrentVersion));
        Assert.Equal(["2", "3"], status.Pending);

        var (again, _) = await MigrateAsync([tenant]);
        Assert.Equal(2, again.MigrationsApplied);
        Assert.True(await TableExistsAsync(tenant, "orders"));
    }

    [Fact]
    public async Task Undo_blocks_a_tenant_with_a_missing_U_file_before_anything_runs()
    {
        WriteStandardMigrations();
        WriteUndoScripts(withUndoOfVersion2: false);
        var tenant = (await CreateTenantsAsync(1))[0];
        await MigrateAsync([tenant]);

        var (summary, results) = await MigrateAsync([tenant], UndoTo("1"));

        var error = results.Single().Error!;
        Assert.Equal(ErrorIds.MissingUndo, error.ErrorId);
        Assert.Equal("2", error.Version);
        Assert.Contains("U2__create_orders.sql", error.Message);
        Assert.Equal((0, 1), (summary.MigrationsApplied, summary.Blocked));
        Assert.Equal("1", await ScalarAsync(tenant, "SELECT count(*) FROM customers"));
        Assert.True(await TableExistsAsync(tenant, "orders"));
        Assert.Equal("0", await CountRowsAsync(tenant, "undo"));
    }

    [Fact]
    public async Task A_failed_undo_is_the_tenants_error_and_leaves_the_version_applied()
    {
        WriteStandardMigrations();
        WriteMigration("U3__seed.sql", "DELETE FROM no_such_table WHERE id = 1;");
        var tenant = (await CreateTenantsAsync(1))[0];
        await MigrateAsync([tenant]);

        var (summary, results) = await MigrateAsync([tenant], UndoTo("2"));

        var result = results.Single();
        Assert.Equal(ErrorIds.MigrationFailed, result.Error!.ErrorId);
        Assert.Equal("U3__seed.sql", result.Error.Script);
        Assert.Equal((TenantState.Failed, "3"), (result.StateAfter, result.VersionAfter));
        Assert.Equal(1, summary.Failed);
        Assert.Equal("1", await ScalarAsync(tenant, "SELECT count(*) FROM tenant_migrations_history WHERE kind = 'undo' AND state = 'failed'"));
        var status = (await StatusAsync([tenant])).Single();
        Assert.Equal((TenantState.UpToDate, "3"), (status.State, status.CurrentVersion));
        Assert.Empty(status.Pending);
    }

    [Fact]
    public async Task An_undo_dry_run_lists_what_would_be_undone_and_changes_nothing()
    {
        WriteStandardMigrations();
        WriteUndoScripts();
        var tenant = (await CreateTenantsAsync(1))[0];
        await MigrateAsync([tenant]);

        var (_, results) = await MigrateAsync([tenant], UndoTo("1", dryRun: true));

        Assert.Equal(["3", "2"], results.Single().Planned.Select(p => p.Version));
        Assert.Empty(results.Single().Applied);
        Assert.True(await TableExistsAsync(tenant, "orders"));
        Assert.Equal(["1", "2", "3"], (await JournalAsync(tenant)).Select(j => j.Version));
    }

    [Fact]
    public async Task Undo_of_a_run_takes_back_what_it_applied_on_the_tenants_where_it_applied_it()
    {
        WriteStandardMigrations();
        WriteUndoScripts();
        var tenants = await CreateTenantsAsync(2);
        var (changed, untouched) = (tenants[0], tenants[1]);
        await MigrateAsync([untouched]);
        await MigrateAsync([changed], new MigrateOptions { CreateMissing = true, Plan = new() { TargetVersion = MigrationVersion.Parse("1") } });
        var (_, lastNight) = await MigrateAsync([changed]);
        var run = new TenantMigrationRun
        {
            RunId = "last-night",
            Tenants = [.. lastNight.Select(r => new TenantRunOutcome { TenantName = r.TenantName, Engine = r.Tenant.Engine, Result = TenantRunResult.Succeeded, Applied = r.Applied.Select(a => a.Version!).ToArray() })],
        };
        Assert.Equal(["2", "3"], run.Tenants.Single().Applied);

        var (summary, results) = await MigrateAsync(tenants, new MigrateOptions { CreateMissing = true, LockTimeout = TimeSpan.FromSeconds(2), Undo = UndoRequest.OfRun(run) });

        Assert.Equal(2, summary.MigrationsApplied);
        Assert.Equal(["3", "2"], results.Single(r => r.TenantName == changed.Name).Applied.Select(a => a.Version));
        Assert.Empty(results.Single(r => r.TenantName == untouched.Name).Applied);
        Assert.False(await TableExistsAsync(changed, "orders"));
        Assert.True(await TableExistsAsync(untouched, "orders"));
        Assert.Equal("0", await CountRowsAsync(untouched, "undo"));
    }

    [Fact]
    public async Task Baseline_then_migrate_applies_only_the_versions_above_it_and_a_second_baseline_is_refused()
    {
        WriteStandardMigrations();
        var tenant = (await CreateTenantsAsync(1))[0];
        await CreateTablesByHandAsync(tenant);
        var baselineAt2 = new MigrateOptions { CreateMissing = true, LockTimeout = TimeSpan.FromSeconds(2), BaselineAt = MigrationVersion.Parse("2") };

        var (_, baselined) = await MigrateAsync([tenant], baselineAt2);

        Assert.Null(baselined.Single().Error);
        Assert.Equal("2", baselined.Single().VersionAfter);
        Assert.Equal("1", await CountRowsAsync(tenant, "baseline"));
        var (summary, migrated) = await MigrateAsync([tenant]);
        Assert.Equal(1, summary.MigrationsApplied);
        Assert.Equal(["3"], migrated.Single().Applied.Select(a => a.Version));
        Assert.Equal(["2", "3"], (await JournalAsync(tenant)).Select(j => j.Version));

        var (_, refused) = await MigrateAsync([tenant], baselineAt2);
        Assert.Equal(ErrorIds.AlreadyMigrated, refused.Single().Error!.ErrorId);
        Assert.Contains("already has applied versions", refused.Single().Error!.Message);
        Assert.Equal("1", await CountRowsAsync(tenant, "baseline"));
    }

    [Fact]
    public async Task A_baseline_of_a_tenant_without_tables_is_refused()
    {
        WriteStandardMigrations();
        var tenant = (await CreateTenantsAsync(1))[0];
        if (tenant.Engine == DatabaseEngine.Sqlite) Directory.CreateDirectory(Path.GetDirectoryName(Dialects.Sqlite.SqliteDialect.DatabasePath(tenant))!);

        var (summary, results) = await MigrateAsync([tenant], new MigrateOptions { CreateMissing = true, LockTimeout = TimeSpan.FromSeconds(2), BaselineAt = MigrationVersion.Parse("2") });

        Assert.Equal(ErrorIds.NothingToBaseline, results.Single().Error!.ErrorId);
        Assert.Equal(1, summary.Blocked);
        Assert.Equal("0", await CountRowsAsync(tenant, "baseline") ?? "0");
    }

    [Fact]
    public async Task Baseline_on_migrate_adopts_a_tenant_with_tables_and_migrates_an_empty_one_from_scratch()
    {
        WriteStandardMigrations();
        var tenants = await CreateTenantsAsync(2);
        var (adopted, empty) = (tenants[0], tenants[1]);
        await CreateTablesByHandAsync(adopted);

        var (summary, results) = await MigrateAsync(tenants, new MigrateOptions { CreateMissing = true, LockTimeout = TimeSpan.FromSeconds(2), BaselineOnMigrate = MigrationVersion.Parse("2") });

        Assert.All(results, r => Assert.Null(r.Error));
        Assert.Equal(["2", "3"], (await JournalAsync(adopted)).Select(j => j.Version));
        Assert.Equal("1", await CountRowsAsync(adopted, "baseline"));
        Assert.Equal(["1", "2", "3"], (await JournalAsync(empty)).Select(j => j.Version));
        Assert.Equal("0", await CountRowsAsync(empty, "baseline"));
        Assert.All(results, r => Assert.Equal(("3", TenantState.UpToDate), (r.VersionAfter, r.StateAfter)));
    }
}

using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Journal;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Planning;

namespace TenantMigrations.Engine.Tests;

/// <summary>A target below a tenant's version is said out loud, and a baseline row stands for every version up to it, on every engine.</summary>
public abstract partial class FleetScenarios
{
    [Fact]
    public async Task A_target_below_the_current_version_is_reported_and_changes_nothing()
    {
        WriteStandardMigrations();
        var tenants = await CreateTenantsAsync(1);
        await MigrateAsync(tenants);

        var (summary, results) = await MigrateAsync(tenants, new MigrateOptions { CreateMissing = true, Plan = new PlanOptions { TargetVersion = MigrationVersion.Parse("1") } });

        var error = results.Single().Error!;
        Assert.Equal(ErrorIds.TargetBelowCurrent, error.ErrorId);
        Assert.Contains("above the target 1", error.Message);
        Assert.Contains("undo", error.Message);
        Assert.Equal((0, 1), (summary.MigrationsApplied, summary.Blocked));
        Assert.Equal(["1", "2", "3"], (await JournalAsync(tenants[0])).Select(j => j.Version));
    }

    [Fact]
    public async Task A_baseline_row_stands_for_every_version_up_to_it()
    {
        WriteStandardMigrations();
        var tenant = (await CreateTenantsAsync(1))[0];
        var dialect = Migrator.DialectFor(tenant);
        if (tenant.Engine == DatabaseEngine.Sqlite) Directory.CreateDirectory(Path.GetDirectoryName(Dialects.Sqlite.SqliteDialect.DatabasePath(tenant))!);
        await using (var connection = await OpenAsync(tenant))
        {
            foreach (var statement in dialect.CreateJournalStatements(tenant, "tenant_migrations_history")
                         .Concat(["CREATE TABLE customers (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL)", "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL)"]))
            {
                await using var command = connection.CreateCommand();
                command.CommandText = statement;
                await command.ExecuteNonQueryAsync();
            }
            var baseline = new JournalEntry { InstalledRank = 1, Version = "2", Description = "<< baseline >>", Kind = MigrationKind.Baseline, State = JournalState.Succeeded, StartedAt = DateTime.UtcNow, FinishedAt = DateTime.UtcNow };
            await new JournalWriter(dialect, tenant, "tenant_migrations_history").InsertAsync(connection, null, baseline, CancellationToken.None);
        }

        var status = (await StatusAsync([tenant])).Single();
        Assert.Equal((TenantState.Pending, "2"), (status.State, status.CurrentVersion));
        Assert.Equal(["3"], status.Pending);
        Assert.Empty(status.OutOfOrder);

        var (summary, results) = await MigrateAsync([tenant]);
        Assert.Equal(1, summary.MigrationsApplied);
        Assert.Equal((TenantState.UpToDate, "3"), (results.Single().StateAfter, results.Single().VersionAfter));
    }
}

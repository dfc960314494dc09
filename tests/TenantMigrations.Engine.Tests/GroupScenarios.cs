using TenantMigrations.Engine.Execution;

namespace TenantMigrations.Engine.Tests;

/// <summary>Group (Flyway's group): pending transactional migrations commit together, each with its own journal row.</summary>
public abstract partial class FleetScenarios
{
    private bool DdlIsTransactional => Engine != DatabaseEngine.MySql;

    private static MigrateOptions Grouped => new() { Group = true, CreateMissing = true, LockTimeout = TimeSpan.FromSeconds(2) };

    [Fact]
    public async Task Group_commits_the_pending_migrations_together_with_a_journal_row_each()
    {
        WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);");
        WriteMigration("V2__b.sql", "CREATE TABLE b (id INTEGER);\nINSERT INTO a (id) VALUES (2);");
        WriteMigration("V3__c.sql", "CREATE TABLE c (id INTEGER);");
        var tenants = await CreateTenantsAsync(2);

        if (!DdlIsTransactional)
        {
            var refused = await Assert.ThrowsAsync<ArgumentException>(() => MigrateAsync(tenants, Grouped));
            Assert.Contains(tenants[0].Name, refused.Message);
            Assert.Contains("commits every DDL statement by itself", refused.Message);
            Assert.False(await TableExistsAsync(tenants[0], "a"));
            return;
        }

        var (summary, results) = await MigrateAsync(tenants, Grouped);

        Assert.Equal((2, 6), (summary.Succeeded, summary.MigrationsApplied));
        Assert.All(results, r => Assert.Equal(["1", "2", "3"], r.Applied.Select(a => a.Version)));
        foreach (var tenant in tenants)
        {
            Assert.Equal([("1", "succeeded"), ("2", "succeeded"), ("3", "succeeded")], (await JournalAsync(tenant)).Select(j => (j.Version, j.State)));
            Assert.True(await TableExistsAsync(tenant, "c"));
            if (Engine == DatabaseEngine.Postgres)
            {
                // One commit: every row the group wrote carries the same inserting transaction id.
                Assert.Equal("1", await ScalarAsync(tenant, "SELECT count(DISTINCT xmin::text) FROM tenant_migrations_history"));
            }
        }
    }

    [Fact]
    public async Task A_failure_rolls_back_the_whole_group_and_journals_only_the_failed_migration()
    {
        if (!DdlIsTransactional) return;
        WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);");
        WriteMigration("V2__b.sql", "CREATE TABLE b (id INTEGER);");
        WriteMigration("V3__broken.sql", "CREATE TABLE c (id INTEGER);\nINSERT INTO no_such_table (id) VALUES (1);");
        var tenants = await CreateTenantsAsync(1);

        var (summary, results) = await MigrateAsync(tenants, Grouped);

        Assert.Equal(1, summary.Failed);
        var error = results.Single().Error!;
        Assert.Equal((ErrorIds.MigrationFailed, "3", "V3__broken.sql"), (error.ErrorId, error.Version, error.Script));
        Assert.Contains("no_such_table", error.Statement);
        Assert.Contains("group of 3 migrations was rolled back", error.Message);
        Assert.Empty(results.Single().Applied);
        Assert.False(await TableExistsAsync(tenants[0], "a"));
        Assert.False(await TableExistsAsync(tenants[0], "b"));
        Assert.Equal([("3", "failed")], (await JournalAsync(tenants[0])).Select(j => (j.Version, j.State)));
    }

    [Fact]
    public async Task A_non_transactional_file_ends_the_group()
    {
        if (!DdlIsTransactional) return;
        WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);");
        WriteMigration("V2__b.sql", "-- tm:transaction=false\nCREATE TABLE b (id INTEGER);");
        WriteMigration("V3__c.sql", "CREATE TABLE c (id INTEGER);");
        WriteMigration("V4__broken.sql", "INSERT INTO no_such_table (id) VALUES (1);");
        var tenants = await CreateTenantsAsync(1);

        var (_, results) = await MigrateAsync(tenants, Grouped);

        Assert.Equal(["1", "2"], results.Single().Applied.Select(a => a.Version));
        Assert.Equal("4", results.Single().Error!.Version);
        Assert.True(await TableExistsAsync(tenants[0], "b"));
        Assert.False(await TableExistsAsync(tenants[0], "c"));
        Assert.Equal([("1", "succeeded"), ("2", "succeeded"), ("4", "failed")], (await JournalAsync(tenants[0])).Select(j => (j.Version, j.State)));
    }
}

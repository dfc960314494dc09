using System.Data.Common;
using Microsoft.Data.Sqlite;
using TenantMigrations.Engine.Dialects.Sqlite;

namespace TenantMigrations.Engine.Tests;

public sealed class SqliteFleetTests : FleetScenarios
{
    protected override DatabaseEngine Engine => DatabaseEngine.Sqlite;

    protected override Task<IReadOnlyList<Tenant>> CreateTenantsAsync(int count) =>
        Task.FromResult<IReadOnlyList<Tenant>>(Enumerable.Range(1, count)
            .Select(i => new Tenant { Name = $"tenant-{i}", Engine = DatabaseEngine.Sqlite, ConnectionString = $"Data Source={Folder.Combine("data", $"tenant-{i}.db")}" })
            .ToList());

    protected override async Task<bool> TableExistsAsync(Tenant tenant, string table) =>
        File.Exists(SqliteDialect.DatabasePath(tenant))
        && await ScalarAsync(tenant, $"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '{table}'") == "1";

    protected override async Task SimulateCrashedRunAsync(Tenant tenant, string version)
    {
        await using var connection = Open(tenant);
        await using var command = connection.CreateCommand();
        command.CommandText = $"INSERT INTO tenant_migrations_history (installed_rank, version, description, kind, state, started_at) VALUES (99, '{version}', 'b', 'versioned', 'running', '2026-01-01 00:00:00')";
        await command.ExecuteNonQueryAsync();
    }

    protected override string SlowStatement() =>
        "WITH RECURSIVE counter(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM counter WHERE x < 20000000) SELECT count(*) FROM counter";

    protected override Tenant UnreachableTenant() =>
        new() { Name = "nowhere", Engine = DatabaseEngine.Sqlite, ConnectionString = "Data Source=/proc/no-such-dir/nowhere.db" };

    protected override Task<DbConnection> OpenAsync(Tenant tenant) => Task.FromResult<DbConnection>(Open(tenant));

    private static SqliteConnection Open(Tenant tenant)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = SqliteDialect.DatabasePath(tenant), Pooling = false }.ConnectionString);
        connection.Open();
        return connection;
    }

    [Fact]
    public async Task The_lock_file_makes_a_busy_tenant_report_locked_in_status()
    {
        WriteStandardMigrations();
        var tenants = await CreateTenantsAsync(1);
        await MigrateAsync(tenants);
        await using var held = await new SqliteDialect().TryLockAsync(null!, tenants[0], "tenant_migrations_history", TimeSpan.Zero, CancellationToken.None);
        Assert.NotNull(held);

        Assert.Equal(TenantState.Locked, (await StatusAsync(tenants)).Single().State);
        var (_, results) = await MigrateAsync(tenants, new Execution.MigrateOptions { LockTimeout = TimeSpan.FromMilliseconds(100) });
        Assert.Equal(TenantState.Locked, results.Single().StateAfter);
    }

    [Fact]
    public async Task Status_of_a_tenant_without_a_file_does_not_create_it()
    {
        WriteStandardMigrations();
        var tenants = await CreateTenantsAsync(1);

        var status = (await StatusAsync(tenants)).Single();

        Assert.Equal((TenantState.Pending, 3), (status.State, status.PendingCount));
        Assert.False(File.Exists(SqliteDialect.DatabasePath(tenants[0])));
    }

    [Fact]
    public async Task Lock_files_stay_out_of_the_data_folder_and_discovery_never_returns_the_tools_files()
    {
        WriteStandardMigrations();
        var tenants = await CreateTenantsAsync(2);
        await MigrateAsync(tenants);
        await MigrateAsync(tenants);

        var data = Folder.Combine("data");
        Assert.Equal(["tenant-1.db", "tenant-2.db"], Directory.GetFiles(data).Select(Path.GetFileName).Order());
        Assert.True(File.Exists(Path.Combine(data, SqliteDialect.LockFolderName, "tenant-1.db.lock")));
        File.WriteAllText(Path.Combine(data, "tenant-1.db-journal"), "");
        File.WriteAllText(Path.Combine(data, "tenant-1.db.tmlock"), "");
        foreach (var glob in new[] { "*", "**/*", "*.db*" })
        {
            var found = Tenants.TenantSources.FromSqliteGlob(Path.Combine(data, glob));
            Assert.Equal(["tenant-1", "tenant-2"], found.Select(t => t.Name).Order());
        }
    }

    [Fact]
    public async Task Status_reports_a_tenant_held_by_a_running_migration_as_locked_without_waiting_for_it()
    {
        WriteStandardMigrations();
        var tenants = await CreateTenantsAsync(1);
        await MigrateAsync(tenants);
        await using var held = await new SqliteDialect().TryLockAsync(null!, tenants[0], "tenant_migrations_history", TimeSpan.Zero, CancellationToken.None);
        using var writer = Open(tenants[0]);
        using (var exclusive = writer.CreateCommand())
        {
            exclusive.CommandText = "BEGIN EXCLUSIVE";
            exclusive.ExecuteNonQuery();
        }

        var status = (await StatusAsync(tenants)).Single();

        Assert.Equal(TenantState.Locked, status.State);
        Assert.Contains("another runner", status.Message);
    }

    [Fact]
    public async Task A_file_that_is_not_a_database_is_that_tenants_invalid_result_and_leaves_no_lock_behind()
    {
        WriteStandardMigrations();
        var tenants = await CreateTenantsAsync(3);
        var notADatabase = SqliteDialect.DatabasePath(tenants[1]);
        Directory.CreateDirectory(Path.GetDirectoryName(notADatabase)!);
        File.WriteAllText(notADatabase, "name,plan\nacme,gold\n");

        var (summary, results) = await MigrateAsync(tenants);

        var invalid = results.Single(r => r.TenantName == "tenant-2");
        Assert.Equal((TenantState.Invalid, ErrorIds.InvalidTenant), (invalid.StateAfter, invalid.Error!.ErrorId));
        Assert.Contains("not a SQLite database", invalid.Error.Message);
        Assert.Contains(notADatabase, invalid.Error.Message);
        Assert.Equal((3, 2), (summary.Total, summary.Succeeded));
        Assert.Equal("name,plan\nacme,gold\n", File.ReadAllText(notADatabase));
        Assert.False(File.Exists(SqliteDialect.LockPath(notADatabase)));
        var status = await StatusAsync(tenants);
        Assert.Equal([TenantState.UpToDate, TenantState.Invalid, TenantState.UpToDate], status.Select(s => s.State));
        Assert.Contains($"{notADatabase} is not a SQLite database", status[1].Message);
    }

    [Fact]
    public async Task The_files_of_one_folder_are_read_together_and_each_ones_trouble_stays_its_own()
    {
        WriteStandardMigrations();
        var tenants = await CreateTenantsAsync(8);
        await MigrateAsync(tenants.Take(6).ToList());
        File.WriteAllText(SqliteDialect.DatabasePath(tenants[1]), "name,plan\nacme,gold\n");
        await using (var connection = await OpenAsync(tenants[2]))
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "ALTER TABLE tenant_migrations_history DROP COLUMN script_name";
            await command.ExecuteNonQueryAsync();
        }
        await using var held = await new SqliteDialect().TryLockAsync(null!, tenants[3], "tenant_migrations_history", TimeSpan.Zero, CancellationToken.None);
        // A killed holder's note without its lock, and a file that exists but is empty.
        File.WriteAllText(SqliteDialect.LockPath(SqliteDialect.DatabasePath(tenants[4])) + ".holder", "{}");
        File.WriteAllBytes(SqliteDialect.DatabasePath(tenants[6]), []);

        var status = await StatusAsync(tenants);

        Assert.Equal(
            [TenantState.UpToDate, TenantState.Invalid, TenantState.Unreachable, TenantState.Locked, TenantState.UpToDate, TenantState.UpToDate, TenantState.Pending, TenantState.Pending],
            status.Select(s => s.State));
        Assert.Contains("is not a SQLite database", status[1].Message);
        Assert.Contains("script_name", status[2].Message);
        Assert.All(new[] { status[0], status[3], status[4], status[5] }, s => Assert.Equal("3", s.CurrentVersion));
        Assert.False(File.Exists(SqliteDialect.DatabasePath(tenants[7])), "status created a missing file");
    }
}

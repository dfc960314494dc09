using Npgsql;
using TenantMigrations.Engine.Dialects.Postgres;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Planning;

namespace TenantMigrations.Engine.Tests;

/// <summary>On a real PostgreSQL server: a no-op migrate connects only to tenants with work, and a Locked tenant names its holder.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresRunnerVisibilityTests(PostgresFixture postgres) : IDisposable
{
    private const string Journal = "tenant_migrations_history";
    private readonly TestSupport.TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    private MigrationSet StandardMigrations()
    {
        folder.Write("migrations/V1__customers.sql", "CREATE TABLE customers (id INTEGER PRIMARY KEY);");
        folder.Write("migrations/V2__orders.sql", "CREATE TABLE orders (id INTEGER PRIMARY KEY);");
        folder.Write("migrations/V3__seed.sql", "INSERT INTO customers (id) VALUES (1);");
        return MigrationSet.Load(folder.Combine("migrations"));
    }

    private static List<Tenant> Schemas(string connectionString, int count) =>
        Enumerable.Range(1, count).Select(i => new Tenant { Name = $"t{i}", Engine = DatabaseEngine.Postgres, ConnectionString = connectionString, Schema = $"t{i}" }).ToList();

    /// <summary>A session of the tool's own kind that holds a tenant's migration lock for a run, until disposed.</summary>
    private sealed record HeldLock(System.Data.Common.DbConnection Connection, IAsyncDisposable Lock) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Lock.DisposeAsync();
            await Connection.DisposeAsync();
        }
    }

    private static async Task<HeldLock> HoldLockAsync(Tenant tenant, string runId)
    {
        var dialect = new PostgresDialect();
        var connection = dialect.CreateConnection(tenant, forWriting: true);
        await connection.OpenAsync();
        var held = await dialect.TryLockAsync(connection, tenant, Journal, TimeSpan.Zero, CancellationToken.None, runId);
        Assert.NotNull(held);
        return new HeldLock(connection, held);
    }

    [Fact]
    public async Task A_no_op_migrate_opens_no_connection_for_settled_tenants_and_reports_every_state_as_before()
    {
        var set = StandardMigrations();
        var direct = await postgres.NewDatabaseAsync();
        var tenants = Schemas(direct, 6);
        var migrator = new FleetMigrator();
        await migrator.MigrateAsync(tenants.Take(5).ToList(), set, new MigrateOptions { CreateMissing = true }, new RecordingSink());
        await migrator.MigrateAsync([tenants[5]], set, new MigrateOptions { CreateMissing = true, Plan = new PlanOptions { TargetVersion = MigrationVersion.Parse("2") } }, new RecordingSink());
        var database = new NpgsqlConnectionStringBuilder(direct).Database!;
        await postgres.Server.ExecuteAsync($"UPDATE t5.{Journal} SET checksum = 'edited' WHERE version = '2'", database);
        await using var holder = new NpgsqlConnection(direct);
        await holder.OpenAsync();
        await using var held = await new PostgresDialect().TryLockAsync(holder, tenants[3], Journal, TimeSpan.Zero, CancellationToken.None);
        Assert.NotNull(held);

        var port = new NpgsqlConnectionStringBuilder(direct).Port;
        await using var proxy = new ConnectionCountingProxy(port);
        var proxied = Schemas(new NpgsqlConnectionStringBuilder(direct) { Port = proxy.Port, Pooling = false }.ConnectionString, 6);
        var sink = new RecordingSink();
        var summary = await migrator.MigrateAsync(proxied, set, new MigrateOptions { CreateMissing = true, LockTimeout = TimeSpan.FromMilliseconds(300) }, sink);

        // One batched read of the database, then one session each for the pending tenant (t6) and the locked one (t4).
        Assert.Equal(3, proxy.Connections);
        var results = sink.Results.ToDictionary(r => r.TenantName);
        foreach (var name in new[] { "t1", "t2", "t3" })
        {
            Assert.Equal((TenantState.UpToDate, TenantState.UpToDate, "3", "3", 0), (results[name].StateBefore, results[name].StateAfter, results[name].VersionBefore, results[name].VersionAfter, results[name].Applied.Length));
            Assert.Null(results[name].Error);
            Assert.Equal(summary.RunId, results[name].RunId);
        }
        Assert.Equal((TenantState.Locked, ErrorIds.TenantLocked), (results["t4"].StateAfter, results["t4"].Error!.ErrorId));
        Assert.Equal((TenantState.Drifted, TenantState.Drifted), (results["t5"].StateBefore, results["t5"].StateAfter));
        Assert.Equal(ErrorIds.ChecksumMismatch, results["t5"].Error!.ErrorId);
        Assert.Equal((TenantState.Pending, TenantState.UpToDate, "3"), (results["t6"].StateBefore, results["t6"].StateAfter, results["t6"].VersionAfter));
        Assert.Equal((6, 4, 1, 1, 1), (summary.Total, summary.Succeeded, summary.Locked, summary.Blocked, summary.MigrationsApplied));
        Assert.Equal(6, sink.Events.OfType<TenantStarted>().Count());

        await using var dryProxy = new ConnectionCountingProxy(port);
        var dry = new RecordingSink();
        await migrator.MigrateAsync(Schemas(new NpgsqlConnectionStringBuilder(direct) { Port = dryProxy.Port, Pooling = false }.ConnectionString, 6), set, new MigrateOptions { CreateMissing = true, DryRun = true }, dry);
        // The batch, and t4: a locked tenant is always read on its own session.
        Assert.True(dryProxy.Connections == 2, $"{dryProxy.Connections} connections");
        Assert.Equal(6, dry.Results.Count);
        Assert.All(dry.Results, r => Assert.Empty(r.Planned));
    }

    [Fact]
    public async Task A_broken_journal_costs_its_batch_a_few_reads_and_a_fleet_of_broken_journals_a_bounded_number()
    {
        var set = StandardMigrations();
        var direct = await postgres.NewDatabaseAsync();
        var database = new NpgsqlConnectionStringBuilder(direct).Database!;
        var migrator = new FleetMigrator();
        await migrator.MigrateAsync(Schemas(direct, 64), set, new MigrateOptions { CreateMissing = true }, new RecordingSink());
        var port = new NpgsqlConnectionStringBuilder(direct).Port;

        async Task<(int Connections, IReadOnlyList<TenantMigrationStatus> Status)> StatusThroughProxyAsync()
        {
            await using var proxy = new ConnectionCountingProxy(port);
            // Throttle 1: the 64 schemas are one batch.
            var status = await migrator.GetStatusAsync(Schemas(new NpgsqlConnectionStringBuilder(direct) { Port = proxy.Port, Pooling = false }.ConnectionString, 64), set, new PlanOptions(), throttleLimit: 1);
            return (proxy.Connections, status);
        }

        await postgres.Server.ExecuteAsync($"ALTER TABLE t40.{Journal} DROP COLUMN script_name", database);
        var one = await StatusThroughProxyAsync();
        Assert.Equal(TenantState.Unreachable, one.Status[39].State);
        Assert.Equal(63, one.Status.Count(s => s.State == TenantState.UpToDate));
        // The batch, then two halves at each of 6 levels: 13 reads.
        Assert.Equal(13, one.Connections);

        for (var i = 1; i <= 64; i++)
        {
            if (i != 40) await postgres.Server.ExecuteAsync($"ALTER TABLE t{i}.{Journal} DROP COLUMN script_name", database);
        }
        var all = await StatusThroughProxyAsync();
        Assert.All(all.Status, s => Assert.Equal(TenantState.Unreachable, s.State));
        // Halving down to every single schema would take 127 reads; the batch may halve 28 times: at most 57.
        Assert.InRange(all.Connections, 2, 57);
    }

    [Fact]
    public async Task Each_tenant_database_gets_one_session_per_migrate_whether_it_has_work_or_not()
    {
        var set = StandardMigrations();
        var databases = new List<string>();
        for (var i = 0; i < 3; i++) databases.Add(await postgres.NewDatabaseAsync());
        var port = new NpgsqlConnectionStringBuilder(databases[0]).Port;
        var migrator = new FleetMigrator();

        async Task<(int Connections, MigrationRunSummary Summary)> MigrateThroughProxyAsync()
        {
            await using var proxy = new ConnectionCountingProxy(port);
            var tenants = databases.Select((database, i) => new Tenant
            {
                Name = $"d{i + 1}",
                Engine = DatabaseEngine.Postgres,
                ConnectionString = new NpgsqlConnectionStringBuilder(database) { Port = proxy.Port }.ConnectionString,
            }).ToList();
            var summary = await migrator.MigrateAsync(tenants, set, new MigrateOptions { CreateMissing = true }, new RecordingSink());
            return (proxy.Connections, summary);
        }

        // A batched read first would be a session of its own for each database, and a second one to migrate it.
        var fresh = await MigrateThroughProxyAsync();
        Assert.Equal((3, 3, 9), (fresh.Connections, fresh.Summary.Succeeded, fresh.Summary.MigrationsApplied));
        var noOp = await MigrateThroughProxyAsync();
        Assert.Equal((3, 3, 0), (noOp.Connections, noOp.Summary.Succeeded, noOp.Summary.MigrationsApplied));
        foreach (var database in databases)
        {
            var name = new NpgsqlConnectionStringBuilder(database).Database!;
            Assert.Equal("3", await postgres.Server.ExecuteAsync($"SELECT count(*) FROM public.{Journal} WHERE state = 'succeeded'", name));
        }
    }

    [Fact]
    public async Task A_locked_tenant_names_the_application_host_backend_and_run_that_hold_it()
    {
        var set = StandardMigrations();
        var connection = await postgres.NewDatabaseAsync();
        var tenants = Schemas(connection + ";Application Name=nightly-job", 2);
        await new FleetMigrator().MigrateAsync(tenants, set, new MigrateOptions { CreateMissing = true }, new RecordingSink());
        await using var held = await HoldLockAsync(tenants[0], "run-0042");
        await using var pid = held.Connection.CreateCommand();
        pid.CommandText = "SELECT pg_backend_pid()";
        var backend = Convert.ToInt32(await pid.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
        var expected = $"locked by nightly-job tenantmigrations/run-0042 on host 127.0.0.1 backend pid {backend} since 20";

        var status = await new FleetMigrator().GetStatusAsync(tenants, set, new PlanOptions());
        Assert.Equal(TenantState.Locked, status[0].State);
        Assert.Contains(expected, status[0].Message, StringComparison.Ordinal);
        Assert.Equal(TenantState.UpToDate, status[1].State);

        var sink = new RecordingSink();
        await new FleetMigrator().MigrateAsync([tenants[0]], set, new MigrateOptions { CreateMissing = true, LockTimeout = TimeSpan.FromMilliseconds(200), RunId = "second-run" }, sink);
        var locked = sink.Results.Single();
        Assert.Equal(ErrorIds.TenantLocked, locked.Error!.ErrorId);
        Assert.Contains("another runner holds the migration lock of tenant 't1'", locked.Error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, locked.Error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(postgres.Server.AdminConnectionString.Split("Password=")[1].Split(';')[0], locked.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_locked_database_per_tenant_is_told_apart_from_its_unlocked_neighbour()
    {
        var set = StandardMigrations();
        var tenants = new List<Tenant>
        {
            new() { Name = "db1", Engine = DatabaseEngine.Postgres, ConnectionString = await postgres.NewDatabaseAsync() + ";Application Name=db-job" },
            new() { Name = "db2", Engine = DatabaseEngine.Postgres, ConnectionString = await postgres.NewDatabaseAsync() },
        };
        await new FleetMigrator().MigrateAsync(tenants, set, new MigrateOptions { CreateMissing = true }, new RecordingSink());
        await using var held = await HoldLockAsync(tenants[0], "run-db");

        var status = await new FleetMigrator().GetStatusAsync(tenants, set, new PlanOptions());

        Assert.Equal((TenantState.Locked, TenantState.UpToDate), (status[0].State, status[1].State));
        Assert.Contains("locked by db-job tenantmigrations/run-db on host 127.0.0.1 backend pid", status[0].Message, StringComparison.Ordinal);
        Assert.Equal(("3", "3"), (status[0].CurrentVersion, status[1].CurrentVersion));
    }

    [Fact]
    public async Task A_reader_without_pg_read_all_stats_is_told_the_holders_name_and_backend_and_why_not_more()
    {
        var set = StandardMigrations();
        var admin = await postgres.NewDatabaseAsync();
        var tenants = Schemas(admin, 1);
        await new FleetMigrator().MigrateAsync(tenants, set, new MigrateOptions { CreateMissing = true }, new RecordingSink());
        var database = new NpgsqlConnectionStringBuilder(admin).Database!;
        var role = "watcher_" + Guid.NewGuid().ToString("N")[..8];
        await postgres.Server.ExecuteAsync($"CREATE ROLE {role} LOGIN PASSWORD 'Watch-Secr3t'; GRANT USAGE ON SCHEMA t1 TO {role}; GRANT SELECT ON t1.{Journal} TO {role};", database);
        await using var holder = new NpgsqlConnection(admin + ";Application Name=admin-job");
        await holder.OpenAsync();
        await using var held = await new PostgresDialect().TryLockAsync(holder, tenants[0], Journal, TimeSpan.Zero, CancellationToken.None);
        Assert.NotNull(held);
        var watcher = Schemas(new NpgsqlConnectionStringBuilder(admin) { Username = role, Password = "Watch-Secr3t" }.ConnectionString, 1);

        var status = (await new FleetMigrator().GetStatusAsync(watcher, set, new PlanOptions())).Single();

        Assert.Equal(TenantState.Locked, status.State);
        Assert.Contains($"locked by admin-job backend pid {holder.ProcessID} (its address and start need the pg_read_all_stats role to be seen)", status.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Watch-Secr3t", status.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, null, "tenantmigrations")]
    [InlineData("", "r1", "tenantmigrations/r1")]
    [InlineData("billing", null, "billing tenantmigrations")]
    [InlineData("billing tenantmigrations", "r1", "billing tenantmigrations/r1")]
    [InlineData("tenantmigrations/old", "new", "tenantmigrations/new")]
    [InlineData("caf\u00e9\njob", "r", "caf??job tenantmigrations/r")]
    public void The_session_name_carries_the_run_after_the_users_own_name(string? configured, string? runId, string expected) =>
        Assert.Equal(expected, PostgresSessionName.For(configured, runId));

    [Fact]
    public void The_session_name_keeps_the_run_id_within_63_bytes()
    {
        var runId = Guid.NewGuid().ToString("N");
        var name = PostgresSessionName.For(new string('a', 80), runId);
        Assert.Equal(63, name.Length);
        Assert.EndsWith($" tenantmigrations/{runId}", name, StringComparison.Ordinal);
    }
}

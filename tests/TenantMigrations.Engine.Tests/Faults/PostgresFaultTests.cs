using Npgsql;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.TestSupport;
using Xunit.Abstractions;

namespace TenantMigrations.Engine.Tests.Faults;

/// <summary>A private PostgreSQL that these tests may kill and restart without disturbing the other test classes.</summary>
public sealed class PrivatePostgres : IAsyncLifetime
{
    public PostgresServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await PostgresServer.StartAsync();

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await Server.DisposeAsync();
    }
}

/// <summary>
/// Faults inside tenants on a real PostgreSQL: terminated backends, a server restart, a tenant without privileges,
/// a journal of another shape. Every tenant must end with a result, the run with a summary, and a re-run must complete
/// the fleet with nothing applied twice.
/// </summary>
public sealed class PostgresFaultTests(PrivatePostgres postgres, ITestOutputHelper output) : IClassFixture<PrivatePostgres>, IDisposable
{
    /// <summary>The tool appends its own name (and its run id) to this one: sessions are found by prefix.</summary>
    private const string ApplicationName = "tm-fault-test";
    private readonly TempFolder folder = new();

    private string Migrations => folder.Combine("migrations");

    public void Dispose() => folder.Dispose();

    private async Task<IReadOnlyList<Tenant>> SchemasAsync(int count)
    {
        var connectionString = await postgres.Server.CreateDatabaseAsync("faults_" + Guid.NewGuid().ToString("N")[..8]) + $";Application Name={ApplicationName}";
        return Enumerable.Range(1, count)
            .Select(i => new Tenant { Name = $"tenant_{i:000}", Engine = DatabaseEngine.Postgres, ConnectionString = connectionString, Schema = $"tenant_{i:000}" })
            .ToList();
    }

    private async Task<bool> TerminateOneBusyBackendAsync() =>
        await postgres.Server.ExecuteAsync($"""
            SELECT count(*) FROM (
                SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                WHERE application_name LIKE '{ApplicationName} %' AND state <> 'idle' AND pid <> pg_backend_pid()
                ORDER BY random() LIMIT 1) AS terminated
            """) == "1";

    private async Task<string> ScalarAsync(Tenant tenant, string sql)
    {
        var database = new NpgsqlConnectionStringBuilder(tenant.GetConnectionString()).Database!;
        return await postgres.Server.ExecuteAsync($"SET search_path TO \"{tenant.Schema}\";\n{sql}", database);
    }

    /// <summary>Each tenant applied every version exactly once: one applied_log row and one succeeded journal row per version.</summary>
    private async Task AssertAppliedExactlyOnceAsync(IReadOnlyList<Tenant> tenants)
    {
        var database = new NpgsqlConnectionStringBuilder(tenants[0].GetConnectionString()).Database!;
        var union = string.Join("\nUNION ALL ", tenants.Select(t =>
            $"SELECT '{t.Schema}', (SELECT string_agg(version, ',' ORDER BY version) FROM \"{t.Schema}\".applied_log), " +
            $"(SELECT string_agg(version || ':' || state, ',' ORDER BY installed_rank) FROM \"{t.Schema}\".tenant_migrations_history)"));
        var rows = (await postgres.Server.ExecuteAsync(union, database)).Split('\n');
        Assert.Equal(tenants.Count, rows.Length);
        Assert.All(rows, row => Assert.EndsWith("|1,2,3|1:succeeded,2:succeeded,3:succeeded", row));
    }

    [Fact]
    public async Task Terminated_backends_are_retried_and_every_tenant_ends_with_a_result()
    {
        FaultRun.WriteMigrations(Migrations, "SELECT pg_sleep(0.02)");
        var tenants = await SchemasAsync(200);

        var run = await FaultRun.RunAsync(tenants, Migrations, new MigrateOptions { CreateMissing = true, ThrottleLimit = 4 }, faults: 12, TimeSpan.FromMilliseconds(250), TerminateOneBusyBackendAsync);
        output.WriteLine($"pg_terminate_backend over 200 schemas: {run}");

        Assert.Equal(200, run.Results.Count);
        Assert.Equal(200, run.Summary.Total);
        Assert.Equal(0, run.Summary.Skipped);
        Assert.True(run.FaultsInjected >= 4, $"only {run.FaultsInjected} backends were terminated");
        Assert.True(run.Retries >= 1, "no tenant was retried");
        Assert.All(run.Results, r => Assert.True(r.StateAfter is TenantState.UpToDate || r.Error?.ErrorId == ErrorIds.TenantUnreachable, $"{r.TenantName}: {r.StateAfter} {r.Error}"));
        Assert.Equal(200, run.Summary.Succeeded + run.Summary.Unreachable);

        var again = await new FleetMigrator().MigrateAsync(tenants, MigrationSet.Load(Migrations), new MigrateOptions { CreateMissing = true }, new RecordingSink());
        output.WriteLine($"re-run: {again}");
        Assert.Equal(200, again.Succeeded);
        await AssertAppliedExactlyOnceAsync(tenants);
    }

    [Fact]
    public async Task A_server_restart_mid_run_ends_every_tenant_done_or_unreachable_and_a_rerun_completes_the_fleet()
    {
        if (!postgres.Server.IsPrivate) return;
        FaultRun.WriteMigrations(Migrations, "SELECT pg_sleep(0.03)");
        var tenants = await SchemasAsync(200);

        var run = await FaultRun.RunAsync(tenants, Migrations, new MigrateOptions { CreateMissing = true, ThrottleLimit = 4 }, faults: 1, TimeSpan.FromSeconds(1.5), async () =>
        {
            await postgres.Server.RestartAsync(TimeSpan.FromSeconds(3));
            return true;
        });
        output.WriteLine($"PostgreSQL restart (3 s down) during 200 schemas: {run}");

        Assert.Equal(200, run.Results.Count);
        Assert.Equal(0, run.Summary.Skipped);
        Assert.All(run.Results, r => Assert.True(r.StateAfter is TenantState.UpToDate || r.Error?.ErrorId == ErrorIds.TenantUnreachable, $"{r.TenantName}: {r.StateAfter} {r.Error}"));
        Assert.Contains(run.Results, r => r.StateAfter == TenantState.Unreachable);
        Assert.Contains(run.Results, r => r.StateAfter == TenantState.UpToDate);
        Assert.All(run.Results.Where(r => r.StateAfter == TenantState.Unreachable), r => Assert.Contains(r.TenantName, r.Error!.Message));

        NpgsqlConnection.ClearAllPools();
        var again = await new FleetMigrator().MigrateAsync(tenants, MigrationSet.Load(Migrations), new MigrateOptions { CreateMissing = true }, new RecordingSink());
        output.WriteLine($"re-run: {again}");
        Assert.Equal(200, again.Succeeded);
        await AssertAppliedExactlyOnceAsync(tenants);
    }

    [Fact]
    public async Task A_non_transactional_migration_cut_mid_way_is_incomplete_and_never_rerun()
    {
        Directory.CreateDirectory(Migrations);
        File.WriteAllText(Path.Combine(Migrations, "V1__steps.sql"), "-- tm:transaction=false\nCREATE TABLE step_one (id INTEGER);\nSELECT pg_sleep(30);\nCREATE TABLE step_three (id INTEGER);");
        var tenants = await SchemasAsync(1);

        var run = await FaultRun.RunAsync(tenants, Migrations, new MigrateOptions { CreateMissing = true }, faults: 1, TimeSpan.FromMilliseconds(300), async () =>
            await postgres.Server.ExecuteAsync($"SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE '{ApplicationName} %' AND query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()) AS t") == "1");

        var result = run.Results.Single();
        Assert.Equal(1, run.FaultsInjected);
        Assert.Equal(TenantState.Incomplete, result.StateAfter);
        Assert.Equal(ErrorIds.IncompleteMigration, result.Error!.ErrorId);
        Assert.Equal("1:running", await ScalarAsync(tenants[0], "SELECT string_agg(version || ':' || state, ',') FROM tenant_migrations_history"));
        Assert.Equal("0", await ScalarAsync(tenants[0], "SELECT count(*) FROM pg_tables WHERE tablename = 'step_three'"));

        var again = await new FleetMigrator().MigrateAsync(tenants, MigrationSet.Load(Migrations), new MigrateOptions { CreateMissing = true }, new RecordingSink());
        Assert.Equal(0, again.MigrationsApplied);
        Assert.Equal("1:running", await ScalarAsync(tenants[0], "SELECT string_agg(version || ':' || state, ',') FROM tenant_migrations_history"));
    }

    [Fact]
    public async Task A_tenant_without_privileges_fails_alone_even_at_throttle_one()
    {
        FaultRun.WriteMigrations(Migrations, "SELECT 1");
        var tenants = (await SchemasAsync(4)).ToList();
        var database = new NpgsqlConnectionStringBuilder(tenants[0].GetConnectionString()).Database!;
        var role = "noperm_" + Guid.NewGuid().ToString("N")[..6];
        await postgres.Server.ExecuteAsync($"CREATE ROLE {role} LOGIN PASSWORD 'NoPerm-Secr3t'; REVOKE CREATE ON DATABASE \"{database}\" FROM PUBLIC;", database);
        var denied = new Tenant
        {
            Name = "denied",
            Engine = DatabaseEngine.Postgres,
            Schema = "denied",
            ConnectionString = new NpgsqlConnectionStringBuilder(tenants[0].GetConnectionString()) { Username = role, Password = "NoPerm-Secr3t" }.ConnectionString,
        };
        tenants.Insert(0, denied);

        var sink = new RecordingSink();
        var summary = await new FleetMigrator().MigrateAsync(tenants, MigrationSet.Load(Migrations), new MigrateOptions { CreateMissing = true, ThrottleLimit = 1 }, sink);

        var failed = sink.Results.Single(r => r.TenantName == "denied");
        Assert.Equal(TenantState.Failed, failed.StateAfter);
        Assert.Equal(ErrorIds.TenantFailed, failed.Error!.ErrorId);
        Assert.Contains("tenant 'denied'", failed.Error.Message);
        Assert.Contains("permission denied", failed.Error.Message);
        Assert.DoesNotContain("NoPerm-Secr3t", sink.AllText);
        Assert.Equal((5, 4, 1), (summary.Total, summary.Succeeded, summary.Failed));
        Assert.All(sink.Results.Where(r => r.TenantName != "denied"), r => Assert.Equal(TenantState.UpToDate, r.StateAfter));
    }

    [Fact]
    public async Task A_journal_of_another_shape_is_that_tenants_failure_and_the_others_migrate()
    {
        FaultRun.WriteMigrations(Migrations, "SELECT 1");
        var tenants = await SchemasAsync(3);
        var database = new NpgsqlConnectionStringBuilder(tenants[0].GetConnectionString()).Database!;
        await postgres.Server.ExecuteAsync("CREATE SCHEMA tenant_002; CREATE TABLE tenant_002.tenant_migrations_history (id integer);", database);

        var sink = new RecordingSink();
        var summary = await new FleetMigrator().MigrateAsync(tenants, MigrationSet.Load(Migrations), new MigrateOptions { CreateMissing = true }, sink);

        var broken = sink.Results.Single(r => r.TenantName == "tenant_002");
        Assert.Equal(ErrorIds.TenantFailed, broken.Error!.ErrorId);
        Assert.Contains("installed_rank", broken.Error.Message);
        Assert.Equal((3, 2, 1), (summary.Total, summary.Succeeded, summary.Failed));
    }

    [Fact]
    public async Task A_migration_queued_behind_a_long_transaction_gives_up_retries_and_fails_with_LockTimeout()
    {
        Directory.CreateDirectory(Migrations);
        File.WriteAllText(Path.Combine(Migrations, "V1__table.sql"), "CREATE TABLE orders (id INTEGER);");
        var tenants = await SchemasAsync(1);
        await new FleetMigrator().MigrateAsync(tenants, MigrationSet.Load(Migrations), new MigrateOptions { CreateMissing = true }, new RecordingSink());
        File.WriteAllText(Path.Combine(Migrations, "V2__alter.sql"), "ALTER TABLE orders ADD COLUMN total NUMERIC;");

        await using var blocker = new NpgsqlConnection(tenants[0].GetConnectionString());
        await blocker.OpenAsync();
        await using var transaction = await blocker.BeginTransactionAsync();
        await using (var hold = new NpgsqlCommand("SELECT count(*) FROM tenant_001.orders", blocker, transaction)) await hold.ExecuteScalarAsync();

        var sink = new RecordingSink();
        await new FleetMigrator().MigrateAsync(tenants, MigrationSet.Load(Migrations),
            new MigrateOptions { CreateMissing = true, DdlLockTimeout = TimeSpan.FromMilliseconds(300), DdlLockAttempts = 3, RetryBaseDelay = TimeSpan.FromMilliseconds(50) }, sink);

        var result = sink.Results.Single();
        Assert.Equal(ErrorIds.LockTimeout, result.Error!.ErrorId);
        Assert.Equal("55P03", result.Error.SqlState);
        Assert.Equal(TenantState.Failed, result.StateAfter);
        Assert.Equal(2, sink.Events.OfType<FleetLog>().Count(l => l.Message.Contains("waited too long for a table lock")));
        Assert.Equal("0", await ScalarAsync(tenants[0], "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'tenant_001' AND column_name = 'total'"));

        await transaction.RollbackAsync();
        var retried = await new FleetMigrator().MigrateAsync(tenants, MigrationSet.Load(Migrations), new MigrateOptions { CreateMissing = true }, new RecordingSink());
        Assert.Equal(1, retried.MigrationsApplied);
    }

    [Fact]
    public async Task A_server_that_accepts_and_never_answers_costs_only_the_connect_timeout()
    {
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var port = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port;
        Directory.CreateDirectory(Migrations);
        File.WriteAllText(Path.Combine(Migrations, "V1__table.sql"), "CREATE TABLE orders (id INTEGER);");
        var tenant = new Tenant { Name = "silent", Engine = DatabaseEngine.Postgres, Schema = "silent", ConnectionString = $"Host=127.0.0.1;Port={port};Username=x;Password=Silent-Secr3t" };

        var sink = new RecordingSink();
        var summary = await new FleetMigrator().MigrateAsync([tenant], MigrationSet.Load(Migrations),
            new MigrateOptions { CreateMissing = true, MaxAttempts = 2, RetryBaseDelay = TimeSpan.FromMilliseconds(10), Limits = new ConnectionLimits { ConnectTimeout = TimeSpan.FromSeconds(1) } }, sink);

        var result = sink.Results.Single();
        Assert.Equal(ErrorIds.TenantUnreachable, result.Error!.ErrorId);
        Assert.Contains("tenant 'silent'", result.Error.Message);
        Assert.Contains("after 2 attempts", result.Error.Message);
        Assert.Equal(1, summary.Unreachable);
        Assert.DoesNotContain("Silent-Secr3t", sink.AllText);
    }
}

using System.Data.Common;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.MySql;
using TenantMigrations.TestSupport;
using Xunit.Abstractions;

namespace TenantMigrations.Engine.Tests.Faults;

/// <summary>A private MariaDB that these tests may kill and restart without disturbing the other test classes.</summary>
public sealed class PrivateMariaDb : IAsyncLifetime
{
    public MariaDbServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await MariaDbServer.StartAsync(new MariaDbServerOptions { EnableTls = false });

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>
/// Faults inside tenants on a real MariaDB, where DDL is not transactional: KILL of the tool's sessions and a server
/// restart. A migration cut mid-way is Incomplete and never re-run; everything else is retried or reported.
/// </summary>
public sealed class MySqlFaultTests(PrivateMariaDb mariadb, ITestOutputHelper output) : IClassFixture<PrivateMariaDb>, IDisposable
{
    private readonly TempFolder folder = new();

    private string Migrations => folder.Combine("migrations");

    public void Dispose() => folder.Dispose();

    private async Task<IReadOnlyList<Tenant>> DatabasesAsync(int count)
    {
        var prefix = "f" + Guid.NewGuid().ToString("N")[..6];
        var names = Enumerable.Range(1, count).Select(i => $"{prefix}_{i:000}").ToList();
        await mariadb.Server.ExecuteSqlAsync(string.Concat(names.Select(n => $"CREATE DATABASE `{n}`;\n")));
        return names.Select(n => new Tenant { Name = n, Engine = DatabaseEngine.MySql, ConnectionString = mariadb.Server.ConnectionStringFor(n) }).ToList();
    }

    private async Task<List<string?[]>> QueryAsync(string sql)
    {
        await using var connection = new MySqlConnection(mariadb.Server.AdminConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string?[]>();
        while (await reader.ReadAsync())
        {
            rows.Add(Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? null : Convert.ToString(reader.GetValue(i))).ToArray());
        }
        return rows;
    }

    private async Task<bool> KillOneBusySessionAsync()
    {
        var busy = await QueryAsync($"SELECT id FROM information_schema.processlist WHERE user = '{mariadb.Server.User}' AND command <> 'Sleep' ORDER BY RAND() LIMIT 1");
        if (busy.Count == 0) return false;
        try
        {
            await QueryAsync($"KILL {busy[0][0]}");
            return true;
        }
        catch (DbException)
        {
            return false;
        }
    }

    /// <summary>
    /// Per tenant: the versions its applied_log holds and its journal, so that nothing is applied twice: every succeeded
    /// version is logged exactly once, and a version cut mid-way is 'running' in the journal.
    /// </summary>
    private async Task<Dictionary<string, (string Logged, string Journal)>> LedgerAsync(IReadOnlyList<Tenant> tenants)
    {
        var ledger = new Dictionary<string, (string, string)>();
        foreach (var tenant in tenants)
        {
            // A tenant cut during V1 may not have its applied_log yet: nothing was logged there.
            var hasLog = await QueryAsync($"SELECT count(*) FROM information_schema.tables WHERE table_schema = '{tenant.Name}' AND table_name = 'applied_log'");
            var logged = hasLog[0][0] == "0" ? [[""]] : await QueryAsync($"SELECT COALESCE(GROUP_CONCAT(version ORDER BY version), '') FROM `{tenant.Name}`.applied_log");
            var journal = await QueryAsync($"SELECT COALESCE(GROUP_CONCAT(CONCAT(version, ':', state) ORDER BY installed_rank), '') FROM `{tenant.Name}`.tenant_migrations_history");
            ledger[tenant.Name] = (logged[0][0]!, journal[0][0]!);
        }
        return ledger;
    }

    private static void AssertNothingAppliedTwice(Dictionary<string, (string Logged, string Journal)> ledger, IReadOnlyList<TenantMigrationResult> rerun)
    {
        foreach (var (tenant, (logged, journal)) in ledger)
        {
            var versions = logged.Split(',', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(versions.Length == versions.Distinct().Count(), $"{tenant}: applied_log {logged}");
            var succeeded = journal.Split(',').Where(j => j.EndsWith(":succeeded", StringComparison.Ordinal)).Select(j => j.Split(':')[0]).ToList();
            Assert.All(succeeded, v => Assert.Contains(v, versions));
            var result = rerun.Single(r => r.TenantName == tenant);
            if (result.StateAfter == TenantState.UpToDate) Assert.Equal("1:succeeded,2:succeeded,3:succeeded", journal);
            else Assert.Contains(":running", journal);
        }
    }

    [Fact]
    public async Task Killed_sessions_are_retried_or_incomplete_and_every_tenant_ends_with_a_result()
    {
        FaultRun.WriteMigrations(Migrations, "DO SLEEP(0.02)");
        var tenants = await DatabasesAsync(100);

        var run = await FaultRun.RunAsync(tenants, Migrations, new MigrateOptions { CreateMissing = true, ThrottleLimit = 4 }, faults: 10, TimeSpan.FromMilliseconds(200), KillOneBusySessionAsync);
        output.WriteLine($"KILL over 100 MariaDB databases: {run}");

        Assert.Equal(100, run.Results.Count);
        Assert.Equal(0, run.Summary.Skipped);
        Assert.True(run.FaultsInjected >= 4, $"only {run.FaultsInjected} sessions were killed");
        Assert.All(run.Results, r => Assert.True(r.StateAfter is TenantState.UpToDate or TenantState.Incomplete or TenantState.Unreachable, $"{r.TenantName}: {r.StateAfter} {r.Error}"));
        Assert.All(run.Results.Where(r => r.StateAfter == TenantState.Incomplete), r => Assert.Equal(ErrorIds.IncompleteMigration, r.Error!.ErrorId));

        var rerun = new RecordingSink();
        await new FleetMigrator().MigrateAsync(tenants, MigrationSet.Load(Migrations), new MigrateOptions { CreateMissing = true }, rerun);
        output.WriteLine("re-run: " + string.Join(", ", rerun.Results.GroupBy(r => r.StateAfter).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}")));
        Assert.All(rerun.Results, r => Assert.True(r.StateAfter is TenantState.UpToDate or TenantState.Incomplete, $"{r.TenantName}: {r.StateAfter} {r.Error}"));
        Assert.Equal(run.Results.Count(r => r.StateAfter == TenantState.Incomplete), rerun.Results.Count(r => r.StateAfter == TenantState.Incomplete));
        AssertNothingAppliedTwice(await LedgerAsync(tenants), rerun.Results);
    }

    [Fact]
    public async Task A_server_restart_mid_run_ends_every_tenant_with_a_result_and_a_rerun_completes_the_rest()
    {
        if (mariadb.Server.IsExternal) return;
        FaultRun.WriteMigrations(Migrations, "DO SLEEP(0.03)");
        var tenants = await DatabasesAsync(100);

        var run = await FaultRun.RunAsync(tenants, Migrations, new MigrateOptions { CreateMissing = true, ThrottleLimit = 4 }, faults: 1, TimeSpan.FromSeconds(1.5), async () =>
        {
            await mariadb.Server.RestartAsync(TimeSpan.FromSeconds(3));
            return true;
        });
        output.WriteLine($"MariaDB restart (3 s down) during 100 databases: {run}");

        Assert.Equal(100, run.Results.Count);
        Assert.Equal(0, run.Summary.Skipped);
        Assert.All(run.Results, r => Assert.True(r.StateAfter is TenantState.UpToDate or TenantState.Incomplete or TenantState.Unreachable, $"{r.TenantName}: {r.StateAfter} {r.Error}"));
        Assert.Contains(run.Results, r => r.StateAfter == TenantState.Unreachable);
        Assert.Contains(run.Results, r => r.StateAfter == TenantState.UpToDate);

        var rerun = new RecordingSink();
        await new FleetMigrator().MigrateAsync(tenants, MigrationSet.Load(Migrations), new MigrateOptions { CreateMissing = true }, rerun);
        output.WriteLine("re-run: " + string.Join(", ", rerun.Results.GroupBy(r => r.StateAfter).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}")));
        Assert.All(rerun.Results, r => Assert.True(r.StateAfter is TenantState.UpToDate or TenantState.Incomplete, $"{r.TenantName}: {r.StateAfter} {r.Error}"));
        AssertNothingAppliedTwice(await LedgerAsync(tenants), rerun.Results);
    }

    [Fact]
    public async Task A_migration_waiting_on_a_metadata_lock_gives_up_retries_and_fails_with_LockTimeout()
    {
        Directory.CreateDirectory(Migrations);
        File.WriteAllText(Path.Combine(Migrations, "V1__table.sql"), "CREATE TABLE orders (id INTEGER);");
        var tenants = await DatabasesAsync(1);
        await new FleetMigrator().MigrateAsync(tenants, MigrationSet.Load(Migrations), new MigrateOptions { CreateMissing = true }, new RecordingSink());
        File.WriteAllText(Path.Combine(Migrations, "V2__alter.sql"), "CREATE TABLE notes (id INTEGER);\nALTER TABLE orders ADD COLUMN total DECIMAL(10,2);");

        await using var blocker = new MySqlConnection(mariadb.Server.ConnectionStringFor(tenants[0].Name));
        await blocker.OpenAsync();
        await using (var hold = blocker.CreateCommand())
        {
            hold.CommandText = "START TRANSACTION; SELECT count(*) FROM orders;";
            await hold.ExecuteNonQueryAsync();
        }

        var sink = new RecordingSink();
        await new FleetMigrator().MigrateAsync(tenants, MigrationSet.Load(Migrations),
            new MigrateOptions { CreateMissing = true, DdlLockTimeout = TimeSpan.FromSeconds(1), DdlLockAttempts = 2, RetryBaseDelay = TimeSpan.FromMilliseconds(50) }, sink);

        var result = sink.Results.Single();
        Assert.Equal(ErrorIds.LockTimeout, result.Error!.ErrorId);
        Assert.Equal(1, result.Error.StatementsCompleted);
        Assert.Equal(1, sink.Events.OfType<FleetLog>().Count(l => l.Message.Contains("waited too long for a table lock")));
        var journal = await QueryAsync($"SELECT state FROM `{tenants[0].Name}`.tenant_migrations_history WHERE version = '2'");
        Assert.Equal("failed", journal.Single()[0]);
    }
}

using System.Data.Common;
using Npgsql;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Rollouts;
using TenantMigrations.Engine.Rollouts.SharedRuns;
using TenantMigrations.MySql;
using TenantMigrations.TestSupport;

namespace TenantMigrations.Engine.Tests.Rollouts;

/// <summary>
/// Runners sharing one run through a run store in a real catalog database: every tenant is done once, a dead
/// runner's claims pass to the others when its lease runs out, and no password lands in the store's tables.
/// </summary>
public abstract class SharedRunStoreScenarios : IDisposable
{
    protected readonly TempFolder Folder = new();

    public void Dispose() => Folder.Dispose();

    /// <summary>The run store value, "postgres:..." or "mysql:...", on a fresh catalog database.</summary>
    protected abstract Task<string> NewStoreAsync();

    protected abstract Task<List<Tenant>> FleetAsync(int count);

    /// <summary>Journal rows per tenant, and the rows of its "things" table (V1 inserts one).</summary>
    protected abstract Task<(int Journal, int Things)> CountsAsync(Tenant tenant);

    protected abstract Task<List<string[]>> QueryStoreAsync(string store, string sql);

    /// <summary>Every password the test uses: none may appear in the store.</summary>
    protected abstract IEnumerable<string> Secrets { get; }

    private MigrationSet Migrations()
    {
        Folder.Write("migrations/V1__things.sql", "CREATE TABLE things (id integer);\nINSERT INTO things (id) VALUES (1);\n");
        Folder.Write("migrations/V2__more.sql", "CREATE TABLE more_things (id integer);\n");
        return MigrationSet.Load(Folder.Combine("migrations"));
    }

    private static Dictionary<string, string> Options => new() { ["throttle"] = "3" };

    [Fact]
    public async Task Two_runners_joining_one_run_do_every_tenant_exactly_once()
    {
        var storeValue = await NewStoreAsync();
        var store = SharedRunStore.Parse(storeValue);
        var tenants = await FleetAsync(24);
        var set = Migrations();
        var options = new MigrateOptions { CreateMissing = true, ThrottleLimit = 3, RunId = "shared-two" };

        async Task<MigrationRunSummary> RunnerAsync()
        {
            await using var run = await SharedRun.JoinAsync(store, "shared-two", resume: false, set, tenants, Options, TimeSpan.FromSeconds(30), CancellationToken.None);
            var summary = await new RolloutRunner().MigrateClaimedAsync(run, tenants, set, options, new RolloutOptions(), new RecordingSink());
            await run.CloseAsync();
            return summary;
        }

        var summaries = await Task.WhenAll(RunnerAsync(), RunnerAsync());

        Assert.All(summaries, s => Assert.True(s.AllSucceeded, s.ToString()));
        Assert.Equal(24, summaries.Sum(s => s.Succeeded));
        Assert.Equal(48, summaries.Sum(s => s.MigrationsApplied));
        foreach (var tenant in tenants) Assert.Equal((2, 1), await CountsAsync(tenant));
        var rows = await QueryStoreAsync(storeValue, "SELECT state, count(*) FROM tenantmigrations_run_tenants WHERE run_id = 'shared-two' GROUP BY state");
        Assert.Equal([["done", "24"]], rows);

        var recorded = await store.ReadAsync("shared-two", CancellationToken.None);
        Assert.Equal(24, recorded.TenantCount);
        Assert.Equal(24, recorded.Done);
        Assert.Equal(48, recorded.MigrationsApplied);
        Assert.True(recorded.Complete);
        Assert.Empty(recorded.TenantsLeft);
        Assert.Contains(await store.ListAsync(_ => { }, CancellationToken.None), r => r.RunId == "shared-two");
    }

    [Fact]
    public async Task A_dead_runners_claims_pass_to_another_runner_when_its_lease_runs_out()
    {
        var storeValue = await NewStoreAsync();
        var store = SharedRunStore.Parse(storeValue);
        var tenants = await FleetAsync(6);
        var set = Migrations();
        var lease = TimeSpan.FromSeconds(2);

        // A runner that claims three tenants and dies without a word: it never renews, finishes nor releases.
        var dead = await SharedRun.JoinAsync(store, "orphaned", resume: false, set, tenants, Options, lease, CancellationToken.None);
        var claimedByDead = await dead.ClaimAsync(3, [], CancellationToken.None);
        await dead.DisposeAsync();
        Assert.Equal(3, claimedByDead.Count);

        await using var survivor = await SharedRun.JoinAsync(store, "orphaned", resume: false, set, tenants, Options, lease, CancellationToken.None);
        var sink = new RecordingSink();
        var summary = await new RolloutRunner().MigrateClaimedAsync(survivor, tenants, set, new MigrateOptions { CreateMissing = true, ThrottleLimit = 2, RunId = "orphaned" }, new RolloutOptions(), sink);
        await survivor.CloseAsync();

        Assert.True(summary.AllSucceeded, summary.ToString());
        Assert.Equal(6, summary.Succeeded);
        Assert.Equal(tenants.Select(t => t.Name).Order(), sink.Results.Select(r => r.TenantName).Order());
        foreach (var tenant in tenants) Assert.Equal((2, 1), await CountsAsync(tenant));
        var owners = await QueryStoreAsync(storeValue, "SELECT tenant_name, state, claimed_by FROM tenantmigrations_run_tenants WHERE run_id = 'orphaned' ORDER BY tenant_name");
        Assert.All(owners, row => Assert.Equal(["done", survivor.RunnerId], row[1..]));
        Assert.True((await store.ReadAsync("orphaned", CancellationToken.None)).Complete);
    }

    [Fact]
    public async Task A_resume_retries_the_failed_tenants_and_no_password_reaches_the_store()
    {
        var storeValue = await NewStoreAsync();
        var store = SharedRunStore.Parse(storeValue);
        var tenants = await FleetAsync(3);
        var set = Migrations();
        await PrepareFailureAsync(tenants[1]);

        await using (var first = await SharedRun.JoinAsync(store, "with-failure", resume: false, set, tenants, Options, TimeSpan.FromSeconds(30), CancellationToken.None))
        {
            var summary = await new RolloutRunner().MigrateClaimedAsync(first, tenants, set, new MigrateOptions { CreateMissing = true, RunId = "with-failure" }, new RolloutOptions(), new RecordingSink());
            await first.CloseAsync();
            Assert.Equal([tenants[1].Name], summary.FailedTenants);
        }
        var failed = await store.ReadAsync("with-failure", CancellationToken.None);
        Assert.Equal(2, failed.Done);
        var failure = Assert.Single(failed.Failures);
        Assert.Equal(ErrorIds.MigrationFailed, failure.ErrorId);

        var dump = await QueryStoreAsync(storeValue, "SELECT run_id, tool_version, migrations_folder, options_json, coalesce(summary_json, '') FROM tenantmigrations_runs")
            .ContinueWith(async runs => (await runs).Concat(await QueryStoreAsync(storeValue, "SELECT tenant_name, state, coalesce(claimed_by, ''), coalesce(outcome_json, '') FROM tenantmigrations_run_tenants"))).Unwrap();
        var text = string.Join("\n", dump.Select(r => string.Join("|", r)));
        Assert.Contains("MigrationFailed", text);
        foreach (var secret in Secrets) Assert.DoesNotContain(secret, text);

        await DropFailureAsync(tenants[1]);
        await using var resumed = await SharedRun.JoinAsync(store, "with-failure", resume: true, set, tenants, Options, TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.Equal(2, resumed.AlreadyDone);
        var second = await new RolloutRunner().MigrateClaimedAsync(resumed, tenants, set, new MigrateOptions { CreateMissing = true, RunId = "with-failure" }, new RolloutOptions(), new RecordingSink());
        await resumed.CloseAsync();
        Assert.Equal(1, second.Succeeded);
        Assert.Equal(1, second.Total);
        var done = await store.ReadAsync("with-failure", CancellationToken.None);
        Assert.Equal(3, done.Done);
        Assert.True(done.Complete);

        await Assert.ThrowsAsync<Engine.Rollouts.RunRecords.RunNotFoundException>(() =>
            SharedRun.JoinAsync(store, "never-started", resume: true, set, tenants, Options, TimeSpan.FromSeconds(30), CancellationToken.None));
    }

    /// <summary>A table that makes V1 fail on this tenant.</summary>
    protected abstract Task PrepareFailureAsync(Tenant tenant);

    protected abstract Task DropFailureAsync(Tenant tenant);

    protected static async Task<List<string[]>> QueryAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string[]>();
        while (await reader.ReadAsync()) rows.Add(Enumerable.Range(0, reader.FieldCount).Select(i => Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture) ?? "").ToArray());
        return rows;
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresSharedRunStoreTests(PostgresFixture postgres) : SharedRunStoreScenarios
{
    protected override IEnumerable<string> Secrets => [PostgresServer.Password];

    protected override async Task<string> NewStoreAsync() => "postgres:" + await postgres.NewDatabaseAsync("catalog");

    protected override async Task<List<Tenant>> FleetAsync(int count)
    {
        var connectionString = await postgres.NewDatabaseAsync("shared");
        return Enumerable.Range(1, count)
            .Select(i => new Tenant { Name = $"tenant_{i:000}", Engine = DatabaseEngine.Postgres, ConnectionString = connectionString, Schema = $"tenant_{i:000}" })
            .ToList();
    }

    private static async Task<List<string[]>> QueryAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return await QueryAsync(connection, sql);
    }

    protected override async Task<(int Journal, int Things)> CountsAsync(Tenant tenant)
    {
        var rows = await QueryAsync(tenant.GetConnectionString(), $"SELECT (SELECT count(*) FROM \"{tenant.Schema}\".tenant_migrations_history WHERE version IS NOT NULL), (SELECT count(*) FROM \"{tenant.Schema}\".things)");
        return (int.Parse(rows[0][0]), int.Parse(rows[0][1]));
    }

    protected override Task<List<string[]>> QueryStoreAsync(string store, string sql) => QueryAsync(store["postgres:".Length..], sql);

    protected override async Task PrepareFailureAsync(Tenant tenant) =>
        await QueryAsync(tenant.GetConnectionString(), $"CREATE SCHEMA \"{tenant.Schema}\"; CREATE TABLE \"{tenant.Schema}\".things (x int)");

    protected override async Task DropFailureAsync(Tenant tenant) =>
        await QueryAsync(tenant.GetConnectionString(), $"DROP TABLE \"{tenant.Schema}\".things");
}

[Collection(MariaDbCollection.Name)]
public sealed class MySqlSharedRunStoreTests(MariaDbFixture mariadb) : SharedRunStoreScenarios
{
    protected override IEnumerable<string> Secrets => [mariadb.Server.Password, mariadb.Server.AdminPassword];

    protected override async Task<string> NewStoreAsync() => "mysql:" + mariadb.Server.ConnectionStringFor(await mariadb.NewDatabaseAsync("catalog"));

    protected override async Task<List<Tenant>> FleetAsync(int count)
    {
        var tenants = new List<Tenant>();
        for (var i = 0; i < count; i++)
        {
            var database = await mariadb.NewDatabaseAsync();
            tenants.Add(new Tenant { Name = database, Engine = DatabaseEngine.MySql, ConnectionString = mariadb.Server.ConnectionStringFor(database) });
        }
        return tenants;
    }

    private static async Task<List<string[]>> QueryAsync(string connectionString, string sql)
    {
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync();
        return await QueryAsync(connection, sql);
    }

    protected override async Task<(int Journal, int Things)> CountsAsync(Tenant tenant)
    {
        var rows = await QueryAsync(tenant.GetConnectionString(), "SELECT (SELECT count(*) FROM tenant_migrations_history WHERE version IS NOT NULL), (SELECT count(*) FROM things)");
        return (int.Parse(rows[0][0]), int.Parse(rows[0][1]));
    }

    protected override Task<List<string[]>> QueryStoreAsync(string store, string sql) => QueryAsync(store["mysql:".Length..], sql);

    protected override async Task PrepareFailureAsync(Tenant tenant) => await QueryAsync(tenant.GetConnectionString(), "CREATE TABLE things (x int)");

    /// <summary>Without transactional DDL the failed migration stays in the journal until repaired: the repair is done by hand here.</summary>
    protected override async Task DropFailureAsync(Tenant tenant) =>
        await QueryAsync(tenant.GetConnectionString(), "DROP TABLE things; DELETE FROM tenant_migrations_history WHERE version = '1'");
}

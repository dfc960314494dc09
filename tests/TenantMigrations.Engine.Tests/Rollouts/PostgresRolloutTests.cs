using Npgsql;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Rollouts;
using TenantMigrations.TestSupport;

namespace TenantMigrations.Engine.Tests.Rollouts;

/// <summary>Rollouts on a real PostgreSQL server, one schema per tenant: the per-server throttle, waves over schemas.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresRolloutTests(PostgresFixture postgres) : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    private async Task<(string Database, List<Tenant> Tenants)> FleetAsync(int count)
    {
        var connectionString = await postgres.NewDatabaseAsync("rollout");
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        var tenants = Enumerable.Range(1, count)
            .Select(i => new Tenant { Name = $"tenant_{i:00}", Engine = DatabaseEngine.Postgres, ConnectionString = connectionString, Schema = $"tenant_{i:00}", Tags = i == 1 ? ["canary"] : [] })
            .ToList();
        return (database, tenants);
    }

    /// <summary>Runs the rollout while sampling how many sessions the server has on the run's database; returns the most seen.</summary>
    private async Task<(MigrationRunSummary Summary, int MostSessions)> RunSamplingAsync(string database, IReadOnlyList<Tenant> tenants, MigrateOptions options, RolloutOptions rollout)
    {
        var set = MigrationSet.Load(folder.Combine("migrations"));
        var most = 0;
        using var done = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            var admin = new NpgsqlConnectionStringBuilder(postgres.Server.AdminConnectionString) { Pooling = false }.ConnectionString;
            await using var connection = new NpgsqlConnection(admin);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE datname = @db AND pid <> pg_backend_pid()", connection);
            command.Parameters.AddWithValue("db", database);
            while (!done.IsCancellationRequested)
            {
                most = Math.Max(most, Convert.ToInt32(await command.ExecuteScalarAsync()));
                await Task.Delay(10);
            }
        });
        var summary = await new RolloutRunner().MigrateAsync(tenants, set, options, rollout, new RecordingSink());
        await done.CancelAsync();
        await sampler;
        return (summary, most);
    }

    [Fact]
    public async Task The_per_server_throttle_is_never_exceeded_on_the_server()
    {
        folder.Write("migrations/V1__slow_table.sql", "CREATE TABLE things (id integer);\nSELECT pg_sleep(0.3);\n");
        var (capped, cappedTenants) = await FleetAsync(10);
        var (free, freeTenants) = await FleetAsync(10);

        var (cappedRun, cappedMost) = await RunSamplingAsync(capped, cappedTenants, new MigrateOptions { CreateMissing = true, ThrottleLimit = 6 }, new RolloutOptions { ThrottlePerServer = 2 });
        var (freeRun, freeMost) = await RunSamplingAsync(free, freeTenants, new MigrateOptions { CreateMissing = true, ThrottleLimit = 6 }, new RolloutOptions());

        Assert.True(cappedRun.AllSucceeded, cappedRun.ToString());
        Assert.True(freeRun.AllSucceeded, freeRun.ToString());
        Assert.InRange(cappedMost, 1, 2);
        // The same fleet without the per-server cap opens more sessions: the sampling sees what the cap prevents.
        Assert.True(freeMost > 2, $"without a per-server cap the server saw at most {freeMost} sessions");
    }

    [Fact]
    public async Task A_verify_script_runs_on_the_tenant_schema_and_a_failing_canary_keeps_the_other_schemas_untouched()
    {
        folder.Write("migrations/V1__things.sql", "CREATE TABLE things (id integer);\n");
        folder.Write("migrations/V1__things.verify.postgres.sql", "SELECT 1 FROM things WHERE id = 1;\n");
        var (database, tenants) = await FleetAsync(4);

        var (summary, _) = await RunSamplingAsync(database, tenants, new MigrateOptions { CreateMissing = true }, new RolloutOptions { Waves = WaveDefinition.Parse("canary,rest") });

        Assert.Equal(RunStopReason.WaveGate, summary.StoppedBy);
        Assert.Equal(["tenant_01"], summary.FailedTenants);
        Assert.Equal(1, summary.VerificationFailed);
        await using var connection = new NpgsqlConnection(tenants[0].GetConnectionString());
        await connection.OpenAsync();
        await using var schemas = new NpgsqlCommand("SELECT string_agg(nspname, ',' ORDER BY nspname) FROM pg_namespace WHERE nspname LIKE 'tenant%'", connection);
        Assert.Equal("tenant_01", await schemas.ExecuteScalarAsync());
        await using var journal = new NpgsqlCommand("SELECT string_agg(version || ':' || state, ',') FROM tenant_01.tenant_migrations_history", connection);
        Assert.Equal("1:succeeded", await journal.ExecuteScalarAsync());
    }
}

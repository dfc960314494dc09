using Npgsql;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Commands;
using TenantMigrations.Engine.Rollouts.SharedRuns;
using TenantMigrations.Module.Tests.Support;
using TenantMigrations.TestSupport;

namespace TenantMigrations.Module.Tests;

/// <summary>Invoke-TenantMigration and Get-TenantMigrationRun's logic with a shared run store on a real PostgreSQL server.</summary>
public sealed class SharedRunCommandTests : IAsyncLifetime
{
    private readonly TempFolder folder = new();
    private PostgresServer server = null!;

    public async Task InitializeAsync() => server = await PostgresServer.StartAsync();

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await server.DisposeAsync();
        folder.Dispose();
    }

    [Fact]
    public async Task Two_commands_joining_one_shared_run_migrate_each_schema_once_and_the_run_reads_back()
    {
        folder.Write("migrations/V1__things.sql", "CREATE TABLE things (id int);\n");
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var fleet = await server.CreateDatabaseAsync("fleet_" + suffix);
        await server.ExecuteAsync(string.Join("\n", Enumerable.Range(1, 8).Select(i => $"CREATE SCHEMA tenant_{i};")), "fleet_" + suffix);
        var store = SharedRunStore.Parse("postgres:" + await server.CreateDatabaseAsync("catalog_" + suffix));
        var tenants = await new TenantQuery { Source = TenantSourceKind.PostgresSchemas, Location = fleet, SchemaLike = "tenant_%" }.RunAsync(folder.Path);
        var set = MigrationFolders.Load("migrations", folder.Path);
        var request = new SharedRunRequest(store, "from-powershell", Resume: false, TimeSpan.FromSeconds(30), new Dictionary<string, string> { ["throttle"] = "2" });

        (MigrationRunSummary Summary, FakeHost Host) Runner()
        {
            var host = new FakeHost();
            var command = new TenantMigrationCommand(set, new MigrateOptions { CreateMissing = true, ThrottleLimit = 2, RunId = request.RunId }) { SharedRun = request };
            foreach (var tenant in tenants) command.Add(tenant, host);
            return (command.Run(host), host);
        }

        var runners = await Task.WhenAll(Task.Run(Runner), Task.Run(Runner));

        Assert.All(runners, r => Assert.Empty(r.Host.Errors));
        Assert.Equal(8, runners.Sum(r => r.Summary.Succeeded));
        var results = runners.SelectMany(r => r.Host.ObjectsOf<TenantMigrationResult>()).Where(r => r.Applied.Length > 0).ToList();
        Assert.Equal(8, results.Select(r => r.TenantName).Distinct().Count());
        Assert.All(results, r => Assert.Equal("from-powershell", r.RunId));
        Assert.Equal("8", await server.ExecuteAsync(string.Join(" + ", Enumerable.Range(1, 8).Select(i => $"(SELECT count(*) FROM tenant_{i}.tenant_migrations_history WHERE version = '1')")).Insert(0, "SELECT ") + ";", "fleet_" + suffix));

        var read = new FakeHost();
        new RunRecordsCommand(store).Get(read, "from-powershell");
        var run = Assert.Single(read.ObjectsOf<TenantMigrationRun>());
        Assert.Equal((8, 8, 0, 0, true), (run.TenantCount, run.Done, run.Failed, run.Left, run.Complete));
        Assert.Equal("2", run.Options["throttle"]);
        Assert.DoesNotContain(PostgresServer.Password, run.Path);

        var list = new FakeHost();
        new RunRecordsCommand(store).List(list);
        Assert.Equal("from-powershell", Assert.Single(list.ObjectsOf<TenantMigrationRun>()).RunId);

        var missing = Assert.Throws<CommandTerminatingException>(() => new RunRecordsCommand(store).Get(new FakeHost(), "no-such-run"));
        Assert.Equal(RunRecordsCommand.RunNotFound, missing.Error.ErrorId);
        Assert.DoesNotContain(PostgresServer.Password, missing.Error.Message);
    }
}

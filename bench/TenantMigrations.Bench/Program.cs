using Npgsql;
using TenantMigrations;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Planning;
using TenantMigrations.TestSupport;

// Fleet benchmark: our engine against the hand-written loop it replaces, measured in the same run on a private
// PostgreSQL. Prints times and ratios only; nothing here is asserted.
//   dotnet run -c Release --project bench/TenantMigrations.Bench -- [postgres|mysql|provision] [tenants] [throttle=8]
var engine = args.Length > 0 ? args[0] : "postgres";
var tenantCount = args.Length > 1 ? int.Parse(args[1]) : engine == "mysql" ? 500 : 1000;
var throttle = args.Length > 2 ? int.Parse(args[2]) : 8;
var migrationsFolder = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../samples/migrations"));
var set = MigrationSet.Load(migrationsFolder);
if (engine == "provision")
{
    await ProvisionBench.RunAsync(args.Length > 1 ? int.Parse(args[1]) : 100, args.Length > 2 ? int.Parse(args[2]) : 8, args.Length > 3 ? int.Parse(args[3]) : 50);
    return;
}
if (engine == "mysql")
{
    await MySqlBench.RunAsync(set, tenantCount, throttle);
    return;
}

await using var server = await PostgresServer.StartAsync();
var oursDb = await server.CreateDatabaseAsync("bench_ours");
var loopDb = await server.CreateDatabaseAsync("bench_loop");
var ours = Tenants(oursDb);
var loop = Tenants(loopDb);
var migrator = new FleetMigrator();
Console.WriteLine($"{tenantCount} PostgreSQL schemas, {set.Versioned.Count} versioned + {set.Repeatable.Count} repeatable migrations, throttle {throttle}");

var loopMigrate = await Measure.TimeAsync(() => HandWrittenLoop.MigrateAsync(loop, set));
var oursMigrate = await Measure.TimeAsync(() => migrator.MigrateAsync(ours, set, new MigrateOptions { ThrottleLimit = throttle, CreateMissing = true }, new NullFleetSink()));
Measure.Report("fresh migrate", oursMigrate, loopMigrate);

// Warm once, then take the best of three.
await migrator.GetStatusAsync(ours, set, new PlanOptions());
var oursStatus = await Measure.BestOfAsync(3, () => migrator.GetStatusAsync(ours, set, new PlanOptions(), throttleLimit: throttle));
var loopStatus = await Measure.BestOfAsync(3, () => HandWrittenLoop.StatusAsync(loop));
Measure.Report("status", oursStatus, loopStatus);
var statuses = await migrator.GetStatusAsync(ours, set, new PlanOptions());
if (Environment.GetEnvironmentVariable("TM_BENCH_PROBE") is not null)
{
    var dialect = migrator.DialectFor(ours[0]);
    for (var i = 0; i < 3; i++)
    {
        var read = await Measure.TimeAsync(() => dialect.ReadJournalsAsync(ours, set.Settings.JournalTable, new ConnectionLimits(), CancellationToken.None));
        Console.WriteLine($"probe: batched journal read {read.TotalMilliseconds:0} ms");
    }
}
Console.WriteLine($"status check: {statuses.Count(s => s.State == TenantState.UpToDate)} of {tenantCount} tenants UpToDate");
NpgsqlConnection.ClearAllPools();

List<Tenant> Tenants(string connectionString) => Enumerable.Range(1, tenantCount)
    .Select(i => new Tenant { Name = $"tenant_{i:D5}", Engine = DatabaseEngine.Postgres, ConnectionString = connectionString + ";Maximum Pool Size=50", Schema = $"tenant_{i:D5}", Properties = { ["plan"] = "bench" } })
    .ToList();

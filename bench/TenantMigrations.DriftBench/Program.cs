using System.Diagnostics;
using Npgsql;
using TenantMigrations;
using TenantMigrations.Engine.Commands;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Schema.Catalog;
using TenantMigrations.MySql;
using TenantMigrations.TestSupport;

// Drift-check timing on a private server: N tenants migrated from samples/migrations, one in ten given an extra
// index by hand, then the whole drift check (journals, catalogs, comparison, classes) timed, best of three.
// Prints times only; nothing here is asserted.
//   dotnet run -c Release --project bench/TenantMigrations.DriftBench -- [postgres|mysql] [tenants] [throttle=8]
var engine = args.Length > 0 ? args[0] : "postgres";
var tenantCount = args.Length > 1 ? int.Parse(args[1]) : engine == "mysql" ? 500 : 1000;
var throttle = args.Length > 2 ? int.Parse(args[2]) : 8;
var set = MigrationSet.Load(Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../samples/migrations")));

List<Tenant> tenants;
Func<Tenant, string, Task> execute;
IAsyncDisposable server;
if (engine == "mysql")
{
    var mariadb = await MariaDbServer.StartAsync(new MariaDbServerOptions { EnableTls = false });
    server = mariadb;
    await using (var admin = new MySqlConnection(mariadb.ConnectionString))
    {
        await admin.OpenAsync();
        await using var create = new MySqlCommand(string.Join(";", Enumerable.Range(1, tenantCount).Select(i => $"CREATE DATABASE drift_{i:D5}")), admin) { CommandTimeout = 0 };
        await create.ExecuteNonQueryAsync();
    }
    tenants = Enumerable.Range(1, tenantCount)
        .Select(i => new Tenant { Name = $"drift_{i:D5}", Engine = DatabaseEngine.MySql, ConnectionString = mariadb.ConnectionStringFor($"drift_{i:D5}"), Properties = { ["plan"] = "bench" } })
        .ToList();
    execute = async (tenant, sql) =>
    {
        await using var connection = new MySqlConnection(tenant.GetConnectionString());
        await connection.OpenAsync();
        await using var command = new MySqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    };
}
else
{
    var postgres = await PostgresServer.StartAsync();
    server = postgres;
    var database = await postgres.CreateDatabaseAsync("bench_drift");
    tenants = Enumerable.Range(1, tenantCount)
        .Select(i => new Tenant { Name = $"tenant_{i:D5}", Engine = DatabaseEngine.Postgres, ConnectionString = database + ";Maximum Pool Size=50", Schema = $"tenant_{i:D5}", Properties = { ["plan"] = "bench" } })
        .ToList();
    execute = async (tenant, sql) =>
    {
        await using var connection = new NpgsqlConnection(tenant.GetConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SET search_path TO \"{tenant.Schema}\"; {sql}", connection);
        await command.ExecuteNonQueryAsync();
    };
}

await using (server)
{
    var summary = await new FleetMigrator().MigrateAsync(tenants, set, new MigrateOptions { ThrottleLimit = throttle, CreateMissing = true }, new NullFleetSink());
    Console.WriteLine($"{tenantCount} {engine} tenants migrated ({summary.Succeeded} succeeded), throttle {throttle}");
    for (var i = 1; i < tenantCount; i += 10) await execute(tenants[i], "CREATE INDEX ix_tmp ON orders (total_cents)");

    var catalogTimes = new List<TimeSpan>();
    var checkTimes = new List<TimeSpan>();
    SchemaDriftReport? report = null;
    for (var round = 0; round < 4; round++)
    {
        var clock = Stopwatch.StartNew();
        await new SchemaCatalog().ReadAsync(tenants, set.Settings.JournalTable, new MigrateOptions(), new NullFleetSink(), throttle, CancellationToken.None);
        if (round > 0) catalogTimes.Add(clock.Elapsed);

        clock.Restart();
        using var command = new SchemaDriftCommand(set, throttle) { ReferenceTenant = tenants[0].Name };
        var host = new SilentHost();
        foreach (var tenant in tenants) command.Add(tenant, host);
        report = command.Run(host);
        if (round > 0) checkTimes.Add(clock.Elapsed);
    }
    Console.WriteLine($"catalog read only:         best {catalogTimes.Min().TotalMilliseconds:0} ms of 3");
    Console.WriteLine($"drift check (whole command): best {checkTimes.Min().TotalMilliseconds:0} ms of 3");
    foreach (var driftClass in report!.Classes) Console.WriteLine($"  {driftClass.Count} tenants: {driftClass.Description}");
    NpgsqlConnection.ClearAllPools();
}

internal sealed class SilentHost : ICommandHost
{
    public bool ShouldProcess(string target, string action, out bool whatIf)
    {
        whatIf = false;
        return false;
    }

    public void WriteObject(object value) { }

    public void WriteError(CommandError commandError) => Console.Error.WriteLine($"{commandError.ErrorId}: {commandError.Message}");

    public void WriteProgress(ProgressUpdate progress) { }

    public void WriteVerbose(string message) { }

    public void WriteWarning(string message) => Console.Error.WriteLine(message);
}

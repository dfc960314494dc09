using System.Diagnostics;
using Npgsql;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Planning;
using TenantMigrations.TestSupport;

namespace TenantMigrations.Engine.Tests;

/// <summary>
/// An exported script runs in the engine's own command-line client (psql, mariadb, sqlite3) and leaves the tenant
/// exactly where a migrate would: every migration applied and journaled, so status reads UpToDate. The migrations end
/// in line comments without a semicolon, hold dollar quotes, triggers and routine bodies.
/// </summary>
public sealed class ExportScriptTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    private string Migrations => folder.Combine("migrations");

    private static async Task<string> RunAsync(string file, IEnumerable<string> arguments, string input, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{file} failed: {await error}\n--- script\n{input}");
        return await output;
    }

    private async Task<TenantScriptExport> ExportOneAsync(Tenant tenant) =>
        (await new FleetMigrator().ExportAsync([tenant], MigrationSet.Load(Migrations), new PlanOptions())).Single();

    private async Task AssertUpToDateAsync(Tenant tenant, int versions)
    {
        var status = (await new FleetMigrator().GetStatusAsync([tenant], MigrationSet.Load(Migrations), new PlanOptions())).Single();
        Assert.Equal((TenantState.UpToDate, versions.ToString(System.Globalization.CultureInfo.InvariantCulture)), (status.State, status.CurrentVersion));
    }

    [Fact]
    public async Task A_sqlite_export_runs_in_sqlite3()
    {
        folder.Write("migrations/V1__orders.sql", "CREATE TABLE orders (id INTEGER PRIMARY KEY, total REAL) -- no semicolon, a comment last");
        folder.Write("migrations/V2__audit.sql", """
            CREATE TABLE audit (order_id INTEGER, note TEXT);
            CREATE TRIGGER orders_audit AFTER INSERT ON orders
            BEGIN
              INSERT INTO audit VALUES (NEW.id, 'created; really');
              INSERT INTO audit VALUES (NEW.id, CASE WHEN NEW.total > 100 THEN 'big' ELSE 'small' END);
            END;
            -- trailing comment
            """);
        var database = folder.Combine("acme.db");
        var tenant = new Tenant { Name = "acme", Engine = DatabaseEngine.Sqlite, ConnectionString = $"Data Source={database}" };

        await RunAsync("sqlite3", ["-bail", database], (await ExportOneAsync(tenant)).Sql);

        await AssertUpToDateAsync(tenant, 2);
        Assert.Equal("2", (await RunAsync("sqlite3", [database], "INSERT INTO orders VALUES (1, 500); SELECT count(*) FROM audit;")).Trim());
    }

    [Fact]
    public async Task A_postgres_export_runs_in_psql()
    {
        await using var server = await PostgresServer.StartAsync();
        var connectionString = await server.CreateDatabaseAsync("export_" + Guid.NewGuid().ToString("N")[..8]);
        folder.Write("migrations/V1__orders.sql", "CREATE TABLE orders (id integer PRIMARY KEY, total numeric) -- no semicolon, a comment last");
        folder.Write("migrations/V2__audit.sql", """
            CREATE TABLE audit (order_id integer, note text);
            CREATE FUNCTION log_order() RETURNS trigger LANGUAGE plpgsql AS $body$
            BEGIN
              INSERT INTO audit VALUES (NEW.id, 'created; $$ really');
              RETURN NEW;
            END
            $body$;
            CREATE TRIGGER orders_audit AFTER INSERT ON orders FOR EACH ROW EXECUTE FUNCTION log_order();
            -- trailing comment
            """);
        var tenant = new Tenant { Name = "acme", Engine = DatabaseEngine.Postgres, ConnectionString = connectionString, Schema = "acme" };
        var builder = new NpgsqlConnectionStringBuilder(connectionString);

        await RunAsync("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", builder.Host!, "-p", builder.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", builder.Username!, "-d", builder.Database!],
            (await ExportOneAsync(tenant)).Sql, new Dictionary<string, string> { ["PGPASSWORD"] = builder.Password! });

        await AssertUpToDateAsync(tenant, 2);
        Assert.Equal("1", await server.ExecuteAsync("SET search_path TO acme; INSERT INTO orders VALUES (1, 5); SELECT count(*) FROM audit;", builder.Database!));
    }

    [Fact]
    public async Task A_mariadb_export_runs_in_the_mariadb_client()
    {
        await using var server = await MariaDbServer.StartAsync(new MariaDbServerOptions { EnableTls = false });
        var database = "export_" + Guid.NewGuid().ToString("N")[..8];
        await server.CreateDatabaseAsync(database);
        folder.Write("migrations/V1__orders.sql", "CREATE TABLE orders (id INT PRIMARY KEY, total DECIMAL(10,2)) -- no semicolon, a comment last");
        folder.Write("migrations/V2__audit.mysql.sql", """
            CREATE TABLE audit (order_id INT, note VARCHAR(100));
            DELIMITER //
            CREATE TRIGGER orders_audit AFTER INSERT ON orders FOR EACH ROW
            BEGIN
              INSERT INTO audit VALUES (NEW.id, 'created; really');
              INSERT INTO audit VALUES (NEW.id, 'twice');
            END//
            DELIMITER ;
            # trailing comment
            """);
        var tenant = new Tenant { Name = database, Engine = DatabaseEngine.MySql, ConnectionString = server.ConnectionStringFor(database) };

        await RunAsync("mariadb", ["--no-defaults", "-h", server.Host, "-P", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--protocol=TCP", "-u", server.User, database],
            (await ExportOneAsync(tenant)).Sql, new Dictionary<string, string> { ["MYSQL_PWD"] = server.Password });

        await AssertUpToDateAsync(tenant, 2);
        Assert.Equal("2", (await RunAsync("mariadb", ["--no-defaults", "-N", "-h", server.Host, "-P", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--protocol=TCP", "-u", server.User, database],
            "INSERT INTO orders VALUES (1, 5); SELECT count(*) FROM audit;", new Dictionary<string, string> { ["MYSQL_PWD"] = server.Password })).Trim());
    }
}

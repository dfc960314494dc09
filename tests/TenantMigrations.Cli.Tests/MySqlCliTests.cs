using System.Text.Json;
using TenantMigrations.MySql;
using TenantMigrations.TestSupport;

namespace TenantMigrations.Cli.Tests;

public sealed class MariaDbFixture : IAsyncLifetime
{
    public MariaDbServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await MariaDbServer.StartAsync(new MariaDbServerOptions { EnableTls = false });

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>MySQL tenants through the CLI process, including a process killed in the middle of a migration.</summary>
public sealed class MySqlCliTests(MariaDbFixture mariadb) : IClassFixture<MariaDbFixture>, IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    private async Task<string> TenantsFileAsync(params string[] databases)
    {
        foreach (var database in databases) await mariadb.Server.CreateDatabaseAsync(database);
        var tenants = databases.Select(d => new { name = d, engine = "mysql", connectionString = mariadb.Server.ConnectionStringFor(d) });
        return temp.Write("tenants.json", JsonSerializer.Serialize(tenants));
    }

    private async Task<object?> ScalarAsync(string database, string sql)
    {
        await using var connection = new MySqlConnection(mariadb.Server.ConnectionStringFor(database));
        await connection.OpenAsync();
        await using var command = new MySqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    [Fact]
    public async Task A_run_killed_mid_migration_leaves_the_tenant_incomplete_and_it_is_never_rerun()
    {
        var database = "crash_" + Guid.NewGuid().ToString("N")[..8];
        var tenants = await TenantsFileAsync(database);
        temp.Write("migrations/V1__base.sql", "CREATE TABLE base (id INT);");
        temp.Write("migrations/V2__multi.sql", "CREATE TABLE first_step (id INT);\nSELECT SLEEP(3);\nCREATE TABLE last_step (id INT);");

        using var run = CliRunner.Start(temp.Path, "migrate", "--create", "--tenants", tenants, "--migrations", "migrations", "--verbose");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Convert.ToInt64(await ScalarAsync(database, $"SELECT count(*) FROM information_schema.tables WHERE table_schema = '{database}' AND table_name = 'first_step'")) == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the migration never reached its first statement");
            await Task.Delay(100);
        }
        run.Kill(entireProcessTree: true);
        await run.WaitForExitAsync();

        var journal = await ScalarAsync(database, "SELECT GROUP_CONCAT(CONCAT(version, ':', state) ORDER BY installed_rank) FROM tenant_migrations_history");
        Assert.Equal("1:succeeded,2:running", journal);

        // The orphaned server session keeps the tenant's lock until its statement ends: Locked is the truth until then.
        CliResult status;
        string? state;
        var lockDeadline = DateTime.UtcNow.AddSeconds(20);
        do
        {
            status = await CliRunner.RunAsync(temp.Path, "status", "--tenants", tenants, "--migrations", "migrations", "--json");
            state = status.Json("status").Single().GetProperty("state").GetString();
            if (state == "Locked") await Task.Delay(250);
        }
        while (state == "Locked" && DateTime.UtcNow < lockDeadline);
        Assert.Equal(1, status.ExitCode);
        Assert.Equal("Incomplete", state);

        var again = await CliRunner.RunAsync(temp.Path, "migrate", "--create", "--tenants", tenants, "--migrations", "migrations", "--json");
        Assert.Equal(1, again.ExitCode);
        Assert.Equal("IncompleteMigration", again.Result(database).GetProperty("error").GetProperty("errorId").GetString());
        Assert.Equal(0L, Convert.ToInt64(await ScalarAsync(database, $"SELECT count(*) FROM information_schema.tables WHERE table_schema = '{database}' AND table_name = 'last_step'")));
        Assert.DoesNotContain(mariadb.Server.Password, status.All + again.All);
    }

    [Fact]
    public async Task Migrate_and_status_over_mysql_tenants()
    {
        var names = Enumerable.Range(1, 3).Select(i => $"cli_{i}_{Guid.NewGuid().ToString("N")[..6]}").ToArray();
        var tenants = await TenantsFileAsync(names);
        temp.Write("migrations/V1__users.sql", "CREATE TABLE users (id INT PRIMARY KEY, tenant VARCHAR(64) DEFAULT '${tenant}');");
        temp.Write("migrations/V2__orders.mysql.sql", "CREATE TABLE orders (id INT PRIMARY KEY) ENGINE = InnoDB;");

        var migrate = await CliRunner.RunAsync(temp.Path, "migrate", "--create", "--tenants", tenants, "--migrations", "migrations", "--json");
        Assert.True(migrate.ExitCode == 0, migrate.ToString());
        Assert.Equal(6, migrate.Json("summary").Single().GetProperty("migrationsApplied").GetInt32());
        var status = await CliRunner.RunAsync(temp.Path, "status", "--tenants", tenants, "--migrations", "migrations");
        Assert.Equal(0, status.ExitCode);
        Assert.Contains("3 tenants: 3 UpToDate", status.Stdout);
        Assert.Equal(names[1], await ScalarAsync(names[1], $"SELECT column_default FROM information_schema.columns WHERE table_schema = '{names[1]}' AND table_name = 'users' AND column_name = 'tenant'") is string d ? d.Trim('\'') : null);
        Assert.DoesNotContain(mariadb.Server.Password, migrate.All + status.All);
    }
}

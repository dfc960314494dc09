using TenantMigrations.TestSupport;

namespace TenantMigrations.Cli.Tests;

/// <summary>One private PostgreSQL 15 for the class.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    public PostgresServer Server { get; private set; } = null!;

    /// <summary>Every password the tests use: none may ever reach the CLI's output.</summary>
    public List<string> Secrets { get; } = [PostgresServer.Password];

    public async Task InitializeAsync()
    {
        Server = await PostgresServer.StartAsync();
        Secrets.AddRange(ConnectionStringRedactor.SecretsOf(Server.AdminConnectionString));
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>The CLI against PostgreSQL schema-per-tenant: it works, and passwords never appear in any output.</summary>
public sealed class PostgresCliTests(PostgresFixture pg) : IClassFixture<PostgresFixture>, IDisposable
{
    private const string WrongPassword = "wr0ng-Pa55word-XyZ";
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    /// <summary>A fresh database with schemas tenant_a, tenant_b, tenant_c; tenant_c already has 'orders', so V2 fails there.</summary>
    private async Task<string> FleetAsync()
    {
        var database = "cli_" + Guid.NewGuid().ToString("N")[..10];
        var connection = await pg.Server.CreateDatabaseAsync(database);
        await pg.Server.ExecuteAsync("CREATE SCHEMA tenant_a; CREATE SCHEMA tenant_b; CREATE SCHEMA tenant_c; CREATE SCHEMA other; CREATE TABLE tenant_c.orders (x int);", database);
        temp.Write("migrations/V1__create_users.sql", "CREATE TABLE users (id int PRIMARY KEY, name text NOT NULL);\n");
        temp.Write("migrations/V2__create_orders.sql", "CREATE TABLE orders (id int PRIMARY KEY, tenant text DEFAULT '${schema}');\n");
        return connection;
    }

    private void AssertNoSecret(CliResult run)
    {
        foreach (var secret in pg.Secrets.Append(WrongPassword))
        {
            Assert.False(run.Stdout.Contains(secret, StringComparison.Ordinal), $"password in stdout:\n{run}");
            Assert.False(run.Stderr.Contains(secret, StringComparison.Ordinal), $"password in stderr:\n{run}");
        }
    }

    private async Task<CliResult> Run(params string[] args)
    {
        var run = await CliRunner.RunAsync(temp.Path, args);
        AssertNoSecret(run);
        return run;
    }

    [Fact]
    public async Task Migrate_and_status_over_discovered_schemas_never_print_the_password()
    {
        var connection = await FleetAsync();
        Assert.Contains(PostgresServer.Password, connection);

        var status = await Run("status", "--pg", connection, "--schema-like", "tenant_%");
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Matches(@"tenant_a\s+Postgres\s+Pending\s+-\s+2", status.Stdout);
        Assert.DoesNotContain("other", status.Stdout);

        var migrate = await Run("migrate", "--pg", connection, "--schema-like", "tenant_%", "--json", "--verbose");
        Assert.True(migrate.ExitCode == 1, migrate.ToString());
        Assert.Equal("UpToDate", migrate.Result("tenant_a").GetProperty("stateAfter").GetString());
        Assert.Equal("UpToDate", migrate.Result("tenant_b").GetProperty("stateAfter").GetString());
        var failed = migrate.Result("tenant_c");
        Assert.Equal("MigrationFailed", failed.GetProperty("error").GetProperty("errorId").GetString());
        Assert.Equal("42P07", failed.GetProperty("error").GetProperty("sqlState").GetString());
        var columnDefault = await pg.Server.ExecuteAsync("SELECT column_default FROM information_schema.columns WHERE table_schema = 'tenant_b' AND table_name = 'orders' AND column_name = 'tenant'", connection.Split("Database=")[1]);
        Assert.StartsWith("'tenant_b'", columnDefault); // ${schema} resolved, and the table landed in the tenant's own schema

        var text = await Run("migrate", "--pg", connection, "--schema-like", "tenant_%", "--verbose");
        Assert.Equal(1, text.ExitCode);
        Assert.Contains("MigrationFailed", text.Stdout);

        var after = await Run("status", "--pg", connection, "--schema-like", "tenant_%", "--json");
        Assert.Equal(1, after.ExitCode);
        Assert.Equal(["UpToDate", "UpToDate", "Failed"], after.Json("status").Select(j => j.GetProperty("state").GetString()));

        var export = await Run("export", "--pg", connection, "--schema-like", "tenant_%");
        Assert.Contains("tenant_c", export.Stdout);
    }

    [Fact]
    public async Task A_wrong_password_is_reported_without_any_password()
    {
        var connection = await FleetAsync();
        var wrong = connection.Replace(PostgresServer.Password, WrongPassword, StringComparison.Ordinal);
        Assert.Contains(WrongPassword, wrong);

        // Discovery itself fails: the tenants source is unusable.
        foreach (var command in new[] { "status", "migrate", "export" })
        {
            var run = await Run(command, "--pg", wrong, "--schema-like", "tenant_%", "--json");
            Assert.True(run.ExitCode == 2, run.ToString());
            Assert.Contains("PostgreSQL schema discovery", run.Stderr);
        }

        // Tenants listed in a file: each one is Unreachable, with or without --json.
        var database = connection.Split("Database=")[1];
        temp.Write("tenants.json", $$"""
            [
              {"name": "good", "engine": "postgres", "schema": "tenant_a", "connectionString": "{{connection}}"},
              {"name": "bad", "engine": "postgres", "schema": "tenant_b", "connectionString": "{{wrong}};Timeout=5"}
            ]
            """);
        var status = await Run("status", "--tenants", "tenants.json", "--json");
        Assert.True(status.ExitCode == 1, status.ToString());
        Assert.Equal("Unreachable", status.Json("status").Single(j => j.GetProperty("tenant").GetString() == "bad").GetProperty("state").GetString());

        var migrate = await Run("migrate", "--create", "--tenants", "tenants.json", "--verbose");
        Assert.True(migrate.ExitCode == 1, migrate.ToString());
        Assert.Contains("TenantUnreachable", migrate.Stdout);
        Assert.Equal("1", await pg.Server.ExecuteAsync("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'tenant_a' AND table_name = 'orders'", database));

        var table = await Run("status", "--tenants", "tenants.json");
        Assert.Matches(@"bad\s+Postgres\s+Unreachable", table.Stdout);

        // Usage errors that quote the command line.
        var usage = await Run("status", "--pg", wrong, "--schema-like", "tenant_%", $"Password={WrongPassword}");
        Assert.Equal(2, usage.ExitCode);
        var noPattern = await Run("status", "--pg", wrong, "--migrations", "migrations");
        Assert.Equal(2, noPattern.ExitCode);
        Assert.Contains("--schema-like", noPattern.Stderr);
    }

    [Fact]
    public async Task Discovery_of_an_unreachable_server_is_retried_then_exits_1_and_a_bad_pattern_exits_2()
    {
        var connection = await FleetAsync();
        var closedPort = new Npgsql.NpgsqlConnectionStringBuilder(connection) { Port = PostgresServer.FreePort(), Timeout = 5 }.ConnectionString;

        foreach (var command in new[] { "status", "migrate", "export" })
        {
            var down = await Run(command, "--pg", closedPort, "--schema-like", "tenant_%", "--json");

            Assert.True(down.ExitCode == 1, down.ToString());
            var error = Assert.Single(down.Json("error"));
            Assert.Equal("TenantSourceUnreachable", error.GetProperty("errorId").GetString());
            Assert.Equal(3, down.Stderr.Split('\n').Count(line => line.Contains("PostgreSQL schema discovery: transient error, retry", StringComparison.Ordinal)));
            Assert.Contains("unreachable after 4 attempts", down.Stderr);
            Assert.Empty(down.Json("result"));
        }

        // A LIKE pattern that ends with the escape character is refused by the server: invalid input, not retried.
        var badPattern = await Run("status", "--pg", connection, "--schema-like", "tenant\\", "--json");
        Assert.True(badPattern.ExitCode == 2, badPattern.ToString());
        Assert.Equal("InvalidTenantSource", Assert.Single(badPattern.Json("error")).GetProperty("errorId").GetString());
        Assert.DoesNotContain("retry", badPattern.Stderr);
    }

    [Fact]
    public async Task A_malformed_pg_connection_string_names_the_option_without_any_fragment()
    {
        temp.Write("migrations/V1__create_users.sql", "CREATE TABLE users (id int PRIMARY KEY);\n");
        var run = await Run("status", "--pg", "Host=127.0.0.1;Password=Abc;Defgh1234;Database=x", "--schema-like", "tenant_%");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("--pg: the connection string is malformed after 'Password'", run.Stderr);
        Assert.DoesNotContain("Defgh1234", run.All);
    }
}

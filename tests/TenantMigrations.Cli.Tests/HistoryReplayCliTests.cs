using Microsoft.Data.Sqlite;
using Npgsql;
using TenantMigrations.TestSupport;

namespace TenantMigrations.Cli.Tests;

/// <summary>history export and replay as a process: folders and tenants compared by catalog, refusals with exit codes.</summary>
public sealed class HistoryReplayCliTests : IDisposable
{
    private readonly TempFolder temp = new();

    public HistoryReplayCliTests()
    {
        temp.Write("migrations/V1__init.sql", "CREATE TABLE customers (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL, region TEXT DEFAULT ${tenant:literal});\nCREATE INDEX ix_customers_name ON customers (name);\n-- trailing comment\n");
        temp.Write("migrations/V2__orders.sql", "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL);\n");
        temp.Write("migrations/R__views.sql", "DROP VIEW IF EXISTS order_counts;\nCREATE VIEW order_counts AS SELECT customer_id, count(*) AS n FROM orders GROUP BY customer_id;\n");
        temp.Write("tenants.json", """
            [
              {"name": "acme", "engine": "sqlite", "connectionString": "Data Source=dbs/acme.db"},
              {"name": "sandbox", "engine": "sqlite", "connectionString": "Data Source=dbs/sandbox.db"},
              {"name": "rebuilt", "engine": "sqlite", "connectionString": "Data Source=dbs/rebuilt.db"}
            ]
            """);
    }

    public void Dispose() => temp.Dispose();

    private Task<CliResult> Run(params string[] args) => CliRunner.RunAsync(temp.Path, args);

    private async Task<IReadOnlyList<string>> DumpAsync(string tenant)
    {
        await using var connection = new SqliteConnection($"Data Source={temp.Combine("dbs", tenant + ".db")};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        return await CatalogDump.SqliteAsync(connection);
    }

    private void CreateEmptyFile(string tenant) => File.WriteAllBytes(temp.Combine("dbs", tenant + ".db"), []);

    [Fact]
    public async Task History_export_writes_a_folder_that_rebuilds_the_tenant_and_refuses_to_overwrite_without_force()
    {
        Assert.Equal(0, (await Run("migrate", "--create", "--tenants", "tenants.json", "--name", "acme")).ExitCode);

        var export = await Run("history", "export", "--tenants", "tenants.json", "--name", "acme", "-o", "acme-history", "--json");
        var again = await Run("history", "export", "--tenants", "tenants.json", "--name", "acme", "-o", "acme-history");
        var forced = await Run("history", "export", "--tenants", "tenants.json", "--name", "acme", "-o", "acme-history", "--force");

        Assert.True(export.ExitCode == 0, export.ToString());
        var line = Assert.Single(export.Json("historyExport"));
        Assert.Equal("acme", line.GetProperty("tenant").GetString());
        Assert.Equal(["V1__init.sql", "V2__orders.sql", "R__views.sql"], line.GetProperty("files").EnumerateArray().Select(f => f.GetString()));
        Assert.Contains("'acme'", File.ReadAllText(temp.Combine("acme-history", "V1__init.sql")), StringComparison.Ordinal);
        Assert.Contains("Source tenant: acme", File.ReadAllText(temp.Combine("acme-history", "README.md")), StringComparison.Ordinal);
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("HistoryOutputExists", again.Stderr, StringComparison.Ordinal);
        Assert.Contains("acme-history", again.Stderr, StringComparison.Ordinal);
        Assert.True(forced.ExitCode == 0, forced.ToString());
        Assert.Contains("acme: wrote 2 version(s) up to 2 and 1 repeatable(s)", forced.Stdout, StringComparison.Ordinal);

        var rebuild = await Run("migrate", "--create", "--tenants", "tenants.json", "--name", "rebuilt", "--migrations", "acme-history");
        Assert.True(rebuild.ExitCode == 0, rebuild.ToString());
        var source = await DumpAsync("acme");
        Assert.Contains("relation order_counts view", source);
        Assert.Equal(source, await DumpAsync("rebuilt"));
    }

    [Fact]
    public async Task History_export_refuses_more_than_one_tenant()
    {
        Assert.Equal(0, (await Run("migrate", "--create", "--tenants", "tenants.json", "--name", "acme")).ExitCode);

        var export = await Run("history", "export", "--tenants", "tenants.json", "-o", "out");

        Assert.Equal(2, export.ExitCode);
        Assert.Contains("pick one with --name", export.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(temp.Combine("out")));
    }

    [Fact]
    public async Task Replay_applies_the_source_history_to_an_empty_tenant_and_refuses_it_once_it_is_not_empty()
    {
        Assert.Equal(0, (await Run("migrate", "--create", "--tenants", "tenants.json", "--name", "acme")).ExitCode);
        CreateEmptyFile("sandbox");

        var dryRun = await Run("replay", "--tenants", "tenants.json", "--from", "acme", "--to", "sandbox", "--dry-run");
        var emptyAfterDryRun = await DumpAsync("sandbox");
        var replay = await Run("replay", "--tenants", "tenants.json", "--from", "acme", "--to", "sandbox", "--json");
        var again = await Run("replay", "--tenants", "tenants.json", "--from", "acme", "--to", "sandbox");

        Assert.True(dryRun.ExitCode == 0, dryRun.ToString());
        Assert.Contains("sandbox: would replay 3 migration(s) of acme: 1, 2, R views", dryRun.Stdout, StringComparison.Ordinal);
        Assert.Empty(emptyAfterDryRun);
        Assert.True(replay.ExitCode == 0, replay.ToString());
        var result = Assert.Single(replay.Json("replay"));
        Assert.True(result.GetProperty("succeeded").GetBoolean());
        Assert.Equal("acme", result.GetProperty("from").GetString());
        Assert.Equal(["V1__init.sql", "V2__orders.sql", "R__views.sql"], result.GetProperty("migrations").EnumerateArray().Select(m => m.GetProperty("script").GetString()));
        Assert.Equal(await DumpAsync("acme"), await DumpAsync("sandbox"));
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("TargetNotEmpty", again.Stderr, StringComparison.Ordinal);
        Assert.Contains("'sandbox'", again.Stderr, StringComparison.Ordinal);

        var history = await Run("history", "--tenants", "tenants.json", "--tenant", "sandbox", "--json");
        Assert.Equal(["1", "2", null], history.Json("history").Select(r => r.GetProperty("version").GetString()));
    }

    [Fact]
    public async Task Replay_names_a_missing_target_or_an_unknown_tenant()
    {
        Assert.Equal(0, (await Run("migrate", "--create", "--tenants", "tenants.json", "--name", "acme")).ExitCode);

        var missing = await Run("replay", "--tenants", "tenants.json", "--from", "acme", "--to", "sandbox");
        var unknown = await Run("replay", "--tenants", "tenants.json", "--from", "acme", "--to", "initech");

        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("TargetNotFound", missing.Stderr, StringComparison.Ordinal);
        Assert.Contains("sandbox.db", missing.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(temp.Combine("dbs", "sandbox.db")));
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("--to 'initech'", unknown.Stderr, StringComparison.Ordinal);
    }
}

/// <summary>replay between PostgreSQL schemas found by discovery, never printing the password.</summary>
public sealed class PostgresHistoryReplayCliTests(PostgresFixture pg) : IClassFixture<PostgresFixture>, IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    private async Task<CliResult> Run(params string[] args)
    {
        var run = await CliRunner.RunAsync(temp.Path, args);
        foreach (var secret in pg.Secrets)
        {
            Assert.False(run.All.Contains(secret, StringComparison.Ordinal), $"password in the output:\n{run}");
        }
        return run;
    }

    private static async Task<IReadOnlyList<string>> DumpAsync(string connectionString, string schema)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return await CatalogDump.PostgresAsync(connection, schema);
    }

    [Fact]
    public async Task Replay_rebuilds_one_schema_from_another_and_export_then_migrate_rebuilds_a_third()
    {
        var database = "replay_" + Guid.NewGuid().ToString("N")[..10];
        var connection = await pg.Server.CreateDatabaseAsync(database);
        await pg.Server.ExecuteAsync("CREATE SCHEMA tenant_acme; CREATE SCHEMA tenant_sandbox; CREATE SCHEMA tenant_rebuilt;", database);
        temp.Write("migrations/V1__init.sql", "CREATE TABLE customers (id int PRIMARY KEY, name varchar(100) NOT NULL);\nCREATE INDEX ix_customers_name ON customers (name);\n");
        temp.Write("migrations/V2__orders.sql", "CREATE TABLE orders (id int PRIMARY KEY, customer_id int NOT NULL REFERENCES customers (id), total numeric(10,2));\n");
        temp.Write("migrations/R__views.sql", "CREATE OR REPLACE VIEW order_totals AS SELECT customer_id, sum(total) AS total FROM orders GROUP BY customer_id;\n");
        string[] fleet = ["--pg", connection, "--schema-like", "tenant_%"];
        Assert.Equal(0, (await Run(["migrate", "--create", .. fleet, "--name", "tenant_acme"])).ExitCode);

        var replay = await Run(["replay", .. fleet, "--from", "tenant_acme", "--to", "tenant_sandbox"]);
        var export = await Run(["history", "export", .. fleet, "--name", "tenant_acme", "-o", "acme-history"]);
        var rebuild = await Run(["migrate", "--create", .. fleet, "--name", "tenant_rebuilt", "--migrations", "acme-history"]);

        Assert.True(replay.ExitCode == 0, replay.ToString());
        Assert.Contains("tenant_sandbox: replayed 3 migration(s) of tenant_acme", replay.Stdout, StringComparison.Ordinal);
        Assert.True(export.ExitCode == 0, export.ToString());
        Assert.True(rebuild.ExitCode == 0, rebuild.ToString());
        var source = await DumpAsync(connection, "tenant_acme");
        Assert.Contains("relation order_totals VIEW", source);
        Assert.Equal(source, await DumpAsync(connection, "tenant_sandbox"));
        Assert.Equal(source, await DumpAsync(connection, "tenant_rebuilt"));
    }
}

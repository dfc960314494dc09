using System.Globalization;
using System.Text.Json;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.TestSupport;

namespace TenantMigrations.Cli.Tests;

/// <summary>The CLI as a process over SQLite tenants: exit codes, text and JSON output, and what lands in the files.</summary>
public sealed class SqliteCliTests : IDisposable
{
    private const string Journal = "tenant_migrations_history";
    private readonly TempFolder temp = new();

    public SqliteCliTests()
    {
        temp.Write("migrations/V1__create_users.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n");
        temp.Write("migrations/V2__create_orders.sql", "CREATE TABLE orders (id INTEGER PRIMARY KEY, note TEXT DEFAULT '${tenant}');\n");
        temp.Write("tenants.json", """
            [
              {"name": "acme", "engine": "sqlite", "connectionString": "Data Source=dbs/acme.db", "tags": ["gold"]},
              {"name": "globex", "engine": "sqlite", "connectionString": "Data Source=dbs/globex.db", "tags": ["silver"]}
            ]
            """);
    }

    public void Dispose() => temp.Dispose();

    private string Db(string tenant) => temp.Combine("dbs", tenant + ".db");

    private Task<CliResult> Run(params string[] args) => CliRunner.RunAsync(temp.Path, args);

    [Fact]
    public async Task Migrate_applies_every_tenant_and_a_rerun_applies_nothing()
    {
        var run = await Run("migrate", "--create", "--tenants", "tenants.json");

        Assert.True(run.ExitCode == 0, run.ToString());
        foreach (var tenant in new[] { "acme", "globex" })
        {
            Assert.Contains(tenant, run.Stdout);
            var tables = SqliteFile.Tables(Db(tenant));
            Assert.Contains("users", tables);
            Assert.Contains("orders", tables);
            Assert.Contains(Journal, tables);
            Assert.Equal([("1", "succeeded"), ("2", "succeeded")], SqliteFile.Journal(Db(tenant)));
        }
        Assert.Contains("2 succeeded", run.Stdout);
        Assert.Contains("4 migrations applied", run.Stdout);

        var again = await Run("migrate", "--create", "--tenants", "tenants.json", "--json");
        Assert.True(again.ExitCode == 0, again.ToString());
        var summary = Assert.Single(again.Json("summary"));
        Assert.Equal(0, summary.GetProperty("migrationsApplied").GetInt32());
        Assert.Equal(2, summary.GetProperty("succeeded").GetInt32());
        Assert.True(summary.GetProperty("allSucceeded").GetBoolean());
        Assert.All(again.Json("result"), r => Assert.Equal(0, r.GetProperty("applied").GetArrayLength()));
        Assert.Equal(2, SqliteFile.Journal(Db("acme")).Count);
    }

    [Fact]
    public async Task Status_prints_a_table_and_json_lines()
    {
        var before = await Run("status", "--tenants", "tenants.json");
        Assert.True(before.ExitCode == 0, before.ToString());
        var lines = before.Stdout.Split('\n');
        Assert.Matches(@"^TENANT\s+ENGINE\s+STATE\s+VERSION\s+PENDING\s+MESSAGE", lines[0]);
        Assert.Matches(@"^acme\s+Sqlite\s+Pending\s+-\s+2", lines[1]);
        Assert.Matches(@"^globex\s+Sqlite\s+Pending\s+-\s+2", lines[2]);
        Assert.Equal(lines[0].IndexOf("STATE", StringComparison.Ordinal), lines[2].IndexOf("Pending", StringComparison.Ordinal));
        Assert.False(File.Exists(Db("acme")), "status must not create the tenant's file");

        Assert.Equal(0, (await Run("migrate", "--create", "--tenants", "tenants.json", "--name", "ac*")).ExitCode);

        var status = await Run("status", "--tenants", "tenants.json", "--json");
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Equal(3, status.JsonLines().Count);
        var json = status.Json("status");
        Assert.Equal(2, json.Count);
        var acme = json.Single(j => j.GetProperty("tenant").GetString() == "acme");
        Assert.Equal("UpToDate", acme.GetProperty("state").GetString());
        Assert.Equal("2", acme.GetProperty("currentVersion").GetString());
        Assert.Equal("Sqlite", acme.GetProperty("engine").GetString());
        var globex = json.Single(j => j.GetProperty("tenant").GetString() == "globex");
        Assert.Equal("Pending", globex.GetProperty("state").GetString());
        Assert.Equal(2, globex.GetProperty("pendingCount").GetInt32());
        var summary = Assert.Single(status.Json("summary"));
        Assert.Equal(2, summary.GetProperty("total").GetInt32());
        Assert.Equal(1, summary.GetProperty("states").GetProperty("UpToDate").GetInt32());
        Assert.Equal(1, summary.GetProperty("states").GetProperty("Pending").GetInt32());
        var cohorts = summary.GetProperty("cohorts").EnumerateArray().ToList();
        Assert.Equal(2, cohorts.Count);
        Assert.Equal("2", cohorts[0].GetProperty("version").GetString());
        Assert.Equal(1, cohorts[0].GetProperty("states").GetProperty("UpToDate").GetInt32());
        Assert.Equal(JsonValueKind.Null, cohorts[1].GetProperty("version").ValueKind);
        Assert.Equal(1, cohorts[1].GetProperty("states").GetProperty("Pending").GetInt32());
    }

    [Fact]
    public async Task Status_prints_the_version_cohorts_under_the_table()
    {
        Assert.Equal(0, (await Run("migrate", "--create", "--tenants", "tenants.json", "--name", "ac*")).ExitCode);

        var status = await Run("status", "--tenants", "tenants.json");

        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains("2 tenants: 1 UpToDate, 1 Pending", status.Stdout, StringComparison.Ordinal);
        var cohortLines = status.Stdout.Split('\n').SkipWhile(l => !l.StartsWith("By version:", StringComparison.Ordinal)).Skip(1).Select(l => l.TrimEnd()).Where(l => l.Length > 0).ToList();
        Assert.Equal(["     2  1 tenant: 1 UpToDate", "  none  1 tenant: 1 Pending"], cohortLines);
    }

    [Fact]
    public async Task A_tenant_with_failing_sql_exits_1_and_the_others_are_migrated()
    {
        Directory.CreateDirectory(temp.Combine("dbs"));
        SqliteFile.Execute(Db("globex"), "CREATE TABLE orders (x INTEGER)"); // V2 will fail on globex only

        var run = await Run("migrate", "--create", "--tenants", "tenants.json", "--json");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Equal([("1", "succeeded"), ("2", "succeeded")], SqliteFile.Journal(Db("acme")));
        Assert.Equal([("1", "succeeded"), ("2", "failed")], SqliteFile.Journal(Db("globex")));
        Assert.True(run.Result("acme").GetProperty("succeeded").GetBoolean());
        var failed = run.Result("globex");
        Assert.False(failed.GetProperty("succeeded").GetBoolean());
        Assert.Equal("Failed", failed.GetProperty("stateAfter").GetString());
        var error = failed.GetProperty("error");
        Assert.Equal("MigrationFailed", error.GetProperty("errorId").GetString());
        Assert.Equal("V2__create_orders.sql", error.GetProperty("script").GetString());
        var summary = Assert.Single(run.Json("summary"));
        Assert.Equal(1, summary.GetProperty("failed").GetInt32());
        Assert.Equal(1, summary.GetProperty("succeeded").GetInt32());

        var text = await Run("migrate", "--create", "--tenants", "tenants.json");
        Assert.Equal(1, text.ExitCode);
        Assert.Contains("globex", text.Stdout);

        var status = await Run("status", "--tenants", "tenants.json");
        Assert.Equal(1, status.ExitCode);
        Assert.Matches(@"globex\s+Sqlite\s+Failed", status.Stdout);
    }

    [Theory]
    [InlineData("missing", "missing-folder")]
    [InlineData("duplicate", "V1__again.sql")]
    [InlineData("badname", "V1-oops.sql")]
    [InlineData("empty", "V3__empty.sql")]
    public async Task An_invalid_migrations_folder_exits_2_naming_the_file(string problem, string named)
    {
        var folder = "migrations";
        switch (problem)
        {
            case "missing": folder = "missing-folder"; break;
            case "duplicate": temp.Write("migrations/V1__again.sql", "SELECT 1;"); break;
            case "badname": temp.Write("migrations/V1-oops.sql", "SELECT 1;"); break;
            case "empty": temp.Write("migrations/V3__empty.sql", "  \n"); break;
        }

        var run = await Run("migrate", "--create", "--tenants", "tenants.json", "--migrations", folder);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains(named, run.Stderr);
        Assert.DoesNotContain("   at ", run.All);
        Assert.False(File.Exists(Db("acme")), "nothing may run when the set is invalid");
    }

    [Theory]
    [InlineData("migrate", "--create", "--tenants", "tenants.json", "--bogus")]
    [InlineData("frobnicate")]
    [InlineData()]
    [InlineData("status", "--tenants", "tenants.json", "--throttle", "0")]
    [InlineData("status", "--tenants", "tenants.json", "--throttle", "many")]
    [InlineData("migrate", "--create", "--tenants", "tenants.json", "--target", "v1.x")]
    [InlineData("migrate", "--create", "--tenants", "tenants.json", "--lock-timeout", "-3")]
    [InlineData("migrate", "--create", "--tenants", "tenants.json", "--lock-timeout", "soon")]
    [InlineData("status")]
    [InlineData("status", "--tenants", "tenants.json", "--schema-like", "tenant_%")]
    [InlineData("status", "--tenants", "tenants.json", "--name", "nobody")]
    [InlineData("new", "x", "--engine", "oracle")]
    public async Task Usage_errors_exit_2_with_a_message_on_stderr(params string[] args)
    {
        var run = await Run(args);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("error", run.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", run.All);
        Assert.False(File.Exists(Db("acme")));
    }

    [Theory]
    [InlineData("broken.json", "{ not json")]
    [InlineData("tenants.txt", "acme")]
    [InlineData("noconn.csv", "name,engine\nacme,sqlite\n")]
    public async Task A_bad_tenants_file_exits_2_naming_it(string file, string content)
    {
        temp.Write(file, content);
        var run = await Run("status", "--tenants", file, "--json");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains(file, run.Stderr);
        var error = Assert.Single(run.Json("error"));
        Assert.Equal("InvalidTenantSource", error.GetProperty("errorId").GetString());
    }

    [Fact]
    public async Task Dry_run_reports_the_plan_and_touches_nothing()
    {
        Directory.CreateDirectory(temp.Combine("dbs"));
        SqliteFile.Execute(Db("acme"), "CREATE TABLE keep (x INTEGER)");

        var run = await Run("migrate", "--create", "--tenants", "tenants.json", "--dry-run", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.False(File.Exists(Db("globex")), "a dry run must not create a tenant's file");
        Assert.Equal(["keep"], SqliteFile.Tables(Db("acme")));
        Assert.Equal([Db("acme")], Directory.GetFiles(temp.Combine("dbs")));
        foreach (var tenant in new[] { "acme", "globex" })
        {
            var result = run.Result(tenant);
            Assert.True(result.GetProperty("dryRun").GetBoolean());
            Assert.Equal(["1", "2"], result.GetProperty("planned").EnumerateArray().Select(p => p.GetProperty("version").GetString()));
            Assert.Equal(0, result.GetProperty("applied").GetArrayLength());
        }
        Assert.Equal(4, run.Json("summary")[0].GetProperty("migrationsPlanned").GetInt32());

        var text = await Run("migrate", "--create", "--tenants", "tenants.json", "--dry-run");
        Assert.Equal(0, text.ExitCode);
        Assert.Contains("would apply 2: 1, 2", text.Stdout);
        Assert.Equal(["keep"], SqliteFile.Tables(Db("acme")));
    }

    [Fact]
    public async Task Target_stops_at_the_given_version()
    {
        var run = await Run("migrate", "--create", "--tenants", "tenants.json", "--target", "1");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal([("1", "succeeded")], SqliteFile.Journal(Db("acme")));
        Assert.DoesNotContain("orders", SqliteFile.Tables(Db("acme")));

        var status = await Run("status", "--tenants", "tenants.json", "--json");
        var acme = status.Json("status").Single(j => j.GetProperty("tenant").GetString() == "acme");
        Assert.Equal("1", acme.GetProperty("currentVersion").GetString());
        Assert.Equal(["2"], acme.GetProperty("pending").EnumerateArray().Select(p => p.GetString()));
    }

    [Fact]
    public async Task Sqlite_glob_and_name_and_tag_filters_select_tenants()
    {
        Directory.CreateDirectory(temp.Combine("fleet"));
        foreach (var name in new[] { "alpha", "beta", "gamma" }) SqliteFile.Execute(temp.Combine("fleet", name + ".db"), "SELECT 1");

        var run = await Run("migrate", "--sqlite", "fleet/*.db", "--name", "a*", "--name", "g?mma", "--throttle", "2", "--verbose");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("applying 1 create users", run.Stdout);
        Assert.Equal(2, SqliteFile.Journal(temp.Combine("fleet", "alpha.db")).Count);
        Assert.Equal(2, SqliteFile.Journal(temp.Combine("fleet", "gamma.db")).Count);
        Assert.Empty(SqliteFile.Journal(temp.Combine("fleet", "beta.db")));

        var single = await Run("migrate", "--sqlite", "fleet/beta.db");
        Assert.True(single.ExitCode == 0, single.ToString());
        Assert.Equal(2, SqliteFile.Journal(temp.Combine("fleet", "beta.db")).Count);

        var tagged = await Run("migrate", "--create", "--tenants", "tenants.json", "--tag", "silver");
        Assert.True(tagged.ExitCode == 0, tagged.ToString());
        Assert.True(File.Exists(Db("globex")));
        Assert.False(File.Exists(Db("acme")));

        var both = await Run("status", "--tenants", "tenants.json", "--sqlite", "fleet/*.db", "--json");
        Assert.Equal(5, both.Json("status").Count);
    }

    [Fact]
    public async Task New_typed_scaffolds_a_json_migration_that_loads_once_its_operations_are_written()
    {
        var run = await Run("new", "add invoice status", "--migrations", "typed", "--typed");

        Assert.True(run.ExitCode == 0, run.ToString());
        var path = run.Stdout.Trim();
        Assert.Matches(@"^V\d{14}__add_invoice_status\.json$", Path.GetFileName(path));
        Assert.Contains("\"op\": \"addColumn\"", File.ReadAllText(path));
        Assert.Contains("empty migration: 'operations' is an empty list", Assert.Throws<MigrationSetException>(() => MigrationSet.Load(temp.Combine("typed"))).Message);
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"operations\": [", "\"operations\": [ { \"op\": \"createTable\", \"table\": \"invoices\", \"columns\": [ { \"name\": \"id\", \"type\": \"Int\", \"primaryKey\": true } ] }", StringComparison.Ordinal));
        Assert.Contains("CREATE TABLE \"invoices\"", Assert.Single(MigrationSet.Load(temp.Combine("typed")).Versioned).FileFor(DatabaseEngine.Sqlite)!.Content);
    }

    [Fact]
    public async Task New_scaffolds_versioned_undo_and_engine_files()
    {
        var run = await Run("new", "Add Orders table!", "--migrations", "scaffold", "--undo");

        Assert.True(run.ExitCode == 0, run.ToString());
        var created = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(2, created.Length);
        var names = created.Select(Path.GetFileName).ToList();
        Assert.Matches(@"^V\d{14}__add_orders_table\.sql$", names[0]);
        Assert.Equal("U" + names[0]![1..], names[1]);
        Assert.All(created, path => Assert.True(File.Exists(path)));
        var stamp = DateTime.ParseExact(names[0]![1..15], "yyyyMMddHHmmss", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
        Assert.InRange(stamp, DateTime.UtcNow.AddMinutes(-2), DateTime.UtcNow.AddMinutes(2));
        Assert.Contains("empty migration", Assert.Throws<MigrationSetException>(() => MigrationSet.Load(temp.Combine("scaffold"))).Message);
        foreach (var path in created) File.AppendAllText(path, "SELECT 1;\n");
        Assert.Single(MigrationSet.Load(temp.Combine("scaffold")).Versioned);

        var variants = await Run("new", "add index", "--migrations", "scaffold", "--engine", "postgres", "--engine", "sqlite");
        Assert.True(variants.ExitCode == 0, variants.ToString());
        var variantNames = variants.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Path.GetFileName).ToList();
        Assert.Equal(2, variantNames.Count);
        Assert.Matches(@"^V\d{14}__add_index\.postgres\.sql$", variantNames[0]);
        Assert.Matches(@"^V\d{14}__add_index\.sqlite\.sql$", variantNames[1]);
        Assert.Equal(variantNames[0]![..15], variantNames[1]![..15]);
        foreach (var name in variantNames) File.AppendAllText(temp.Combine("scaffold", name!), "SELECT 1;\n");
        var set = MigrationSet.Load(temp.Combine("scaffold"));
        Assert.Equal(2, set.Versioned.Count);
    }

    [Fact]
    public async Task New_refuses_to_overwrite()
    {
        // Occupy the next minute's worth of versions for this slug: whichever second 'new' runs in, its file exists.
        var now = DateTime.UtcNow;
        for (var s = 0; s < 60; s++) temp.Write($"taken/V{now.AddSeconds(s):yyyyMMddHHmmss}__same.sql", "SELECT 1;");

        var run = await Run("new", "same", "--migrations", "taken");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("already exists", run.Stderr);
        Assert.Equal(60, Directory.GetFiles(temp.Combine("taken")).Length);
    }

    [Fact]
    public async Task Export_writes_each_tenants_sql_to_a_folder_or_stdout()
    {
        var run = await Run("export", "--tenants", "tenants.json", "--output", "out");

        Assert.True(run.ExitCode == 0, run.ToString());
        foreach (var tenant in new[] { "acme", "globex" })
        {
            var sql = File.ReadAllText(temp.Combine("out", tenant + ".sql"));
            Assert.Contains("CREATE TABLE users", sql);
            Assert.Contains($"DEFAULT '{tenant}'", sql); // ${tenant} resolved
            Assert.DoesNotContain("${tenant}", sql);
            Assert.Contains($"INSERT INTO \"{Journal}\"", sql);
            Assert.Contains("V2__create_orders.sql", sql);
        }
        Assert.False(File.Exists(Db("acme")), "export must not touch the tenants");

        var stdout = await Run("export", "--tenants", "tenants.json");
        Assert.True(stdout.ExitCode == 0, stdout.ToString());
        Assert.Contains("-- TenantMigrations script for tenant acme", stdout.Stdout);
        Assert.Contains("-- TenantMigrations script for tenant globex", stdout.Stdout);
        Assert.Contains("DEFAULT 'globex'", stdout.Stdout);

        // After a migrate there is nothing left to export.
        Assert.Equal(0, (await Run("migrate", "--create", "--tenants", "tenants.json")).ExitCode);
        var empty = await Run("export", "--tenants", "tenants.json", "--json");
        Assert.All(empty.Json("export"), e => Assert.Equal(0, e.GetProperty("versions").GetArrayLength()));
    }

    [Fact]
    public async Task Ctrl_C_cancels_the_run_rolls_back_the_migration_in_flight_and_exits_1()
    {
        temp.Write("migrations/V3__slow.sql",
            "CREATE TABLE big AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 12000000) SELECT x FROM c;\n");
        using var process = CliRunner.Start(temp.Path, "migrate", "--create", "--tenants", "tenants.json", "--name", "acme", "--verbose");
        var output = new System.Text.StringBuilder();
        string? line;
        while ((line = await process.StandardOutput.ReadLineAsync()) is not null)
        {
            output.AppendLine(line);
            if (line.Contains("applying 3 slow", StringComparison.Ordinal)) break;
        }
        Assert.NotNull(line);
        await Task.Delay(200);
        CliRunner.SendInterrupt(process);

        var run = await CliRunner.WaitAsync(process, process.StandardOutput.ReadToEndAsync());

        Assert.True(run.ExitCode == 1, output + run.ToString());
        Assert.Contains("cancelled", run.All, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("big", SqliteFile.Tables(Db("acme")));
        Assert.Equal([("1", "succeeded"), ("2", "succeeded")], SqliteFile.Journal(Db("acme")));
    }
}

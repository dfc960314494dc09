using TenantMigrations.TestSupport;

namespace TenantMigrations.Cli.Tests;

/// <summary>`undo --target`, `undo --run`, `baseline` and `migrate --baseline-on-migrate` on SQLite files.</summary>
public sealed class UndoBaselineCliTests : IDisposable
{
    private readonly TempFolder temp = new();

    public UndoBaselineCliTests()
    {
        temp.Write("migrations/V1__users.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY);\n");
        temp.Write("migrations/V2__orders.sql", "CREATE TABLE orders (id INTEGER PRIMARY KEY);\n");
        temp.Write("migrations/V3__items.sql", "CREATE TABLE items (id INTEGER PRIMARY KEY);\n");
        temp.Write("migrations/U2__orders.sql", "DROP TABLE orders;\n");
        temp.Write("migrations/U3__items.sql", "DROP TABLE items;\n");
    }

    public void Dispose() => temp.Dispose();

    private Task<CliResult> Run(params string[] args) => CliRunner.RunAsync(temp.Path, args);

    private string Db(string name) => temp.Combine("fleet", name);

    [Fact]
    public async Task Undo_run_takes_back_what_the_run_applied_on_the_tenants_where_it_applied_it()
    {
        temp.Write("fleet/old.db", "");
        temp.Write("fleet/new.db", "");
        Assert.Equal(0, (await Run("migrate", "--sqlite", "fleet/new.db", "--migrations", "migrations", "--run-store", "runs")).ExitCode);
        Assert.Equal(0, (await Run("migrate", "--sqlite", "fleet/old.db", "--migrations", "migrations", "--target", "1", "--run-store", "runs")).ExitCode);
        var lastNight = await Run("migrate", "--sqlite", "fleet/*.db", "--migrations", "migrations", "--run-store", "runs", "--json");
        Assert.True(lastNight.ExitCode == 0, lastNight.ToString());
        var runId = lastNight.Json("summary").Single().GetProperty("runId").GetString()!;

        var dryRun = await Run("undo", "--sqlite", "fleet/*.db", "--migrations", "migrations", "--run", runId, "--run-store", "runs", "--dry-run");
        Assert.True(dryRun.ExitCode == 0, dryRun.ToString());
        Assert.Contains("would undo 2: 3, 2", dryRun.Stdout);
        Assert.Contains("(dry run: 2 migrations would be undone)", dryRun.Stdout);
        Assert.Contains("items", SqliteFile.Tables(Db("old.db")));

        var undo = await Run("undo", "--sqlite", "fleet/*.db", "--migrations", "migrations", "--run", runId, "--run-store", "runs");

        Assert.True(undo.ExitCode == 0, undo.ToString());
        Assert.Contains("undid 2 in", undo.Stdout);
        Assert.Contains(" 2 migrations undone in ", undo.Stdout);
        Assert.DoesNotContain("migrations applied", undo.Stdout);
        Assert.Equal(["tenant_migrations_history", "users"], SqliteFile.Tables(Db("old.db")));
        Assert.Equal([("1", "succeeded"), ("2", "succeeded"), ("3", "succeeded"), ("3", "succeeded"), ("2", "succeeded")], SqliteFile.Journal(Db("old.db")));
        Assert.Contains("items", SqliteFile.Tables(Db("new.db")));
        Assert.Equal(3, SqliteFile.Journal(Db("new.db")).Count);
        var status = await Run("status", "--sqlite", "fleet/old.db", "--migrations", "migrations", "--json");
        Assert.Equal("1", status.Json("status").Single().GetProperty("currentVersion").GetString());
    }

    [Fact]
    public async Task Undo_needs_a_target_or_a_run_and_a_missing_U_file_blocks_the_tenant()
    {
        temp.Write("fleet/t1.db", "");
        Assert.Equal(0, (await Run("migrate", "--sqlite", "fleet/t1.db", "--migrations", "migrations", "--run-store", "runs")).ExitCode);

        var neither = await Run("undo", "--sqlite", "fleet/t1.db", "--migrations", "migrations", "--run-store", "runs");
        Assert.Equal(2, neither.ExitCode);
        Assert.Contains("exactly one of --target VERSION or --run RUNID", neither.Stderr);

        var blocked = await Run("undo", "--sqlite", "fleet/t1.db", "--migrations", "migrations", "--target", "0", "--run-store", "runs");
        Assert.Equal(1, blocked.ExitCode);
        Assert.Contains("MissingUndo", blocked.Stdout);
        Assert.Contains("U1__users.sql", blocked.Stdout);
        Assert.Equal(3, SqliteFile.Journal(Db("t1.db")).Count);
        Assert.Contains("items", SqliteFile.Tables(Db("t1.db")));
    }

    [Fact]
    public async Task Baseline_then_migrate_applies_only_above_it_and_baseline_on_migrate_adopts_only_tenants_with_tables()
    {
        temp.Write("fleet/legacy.db", "");
        SqliteFile.Execute(Db("legacy.db"), "CREATE TABLE users (id INTEGER PRIMARY KEY); CREATE TABLE orders (id INTEGER PRIMARY KEY);");
        var baseline = await Run("baseline", "--sqlite", "fleet/legacy.db", "--migrations", "migrations", "--version", "2", "--run-store", "runs");
        Assert.True(baseline.ExitCode == 0, baseline.ToString());
        Assert.Equal([("2", "succeeded")], SqliteFile.Journal(Db("legacy.db")));
        var migrate = await Run("migrate", "--sqlite", "fleet/legacy.db", "--migrations", "migrations", "--run-store", "runs");
        Assert.True(migrate.ExitCode == 0, migrate.ToString());
        Assert.Equal([("2", "succeeded"), ("3", "succeeded")], SqliteFile.Journal(Db("legacy.db")));
        var again = await Run("baseline", "--sqlite", "fleet/legacy.db", "--migrations", "migrations", "--version", "2", "--run-store", "runs");
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("AlreadyMigrated", again.Stdout);

        temp.Write("fleet2/adopted.db", "");
        SqliteFile.Execute(temp.Combine("fleet2", "adopted.db"), "CREATE TABLE users (id INTEGER PRIMARY KEY);");
        temp.Write("fleet2/empty.db", "");
        var adopt = await Run("migrate", "--sqlite", "fleet2/*.db", "--migrations", "migrations", "--baseline-on-migrate", "1", "--run-store", "runs");
        Assert.True(adopt.ExitCode == 0, adopt.ToString());
        Assert.Equal([("1", "succeeded"), ("2", "succeeded"), ("3", "succeeded")], SqliteFile.Journal(temp.Combine("fleet2", "adopted.db")));
        Assert.Equal(["items", "orders", "tenant_migrations_history", "users"], SqliteFile.Tables(temp.Combine("fleet2", "empty.db")));
        Assert.Equal(3, SqliteFile.Journal(temp.Combine("fleet2", "empty.db")).Count);
    }
}

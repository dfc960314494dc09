using System.Data.Common;
using TenantMigrations.Engine.Commands;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Replay;
using TenantMigrations.TestSupport;

namespace TenantMigrations.Engine.Tests;

/// <summary>
/// History export and replay on one setup: a source tenant with a versioned history, an undone version, a failed
/// version and a repeatable is rebuilt elsewhere, and the schemas are compared through the catalog, not the journals.
/// </summary>
public abstract class HistoryReplayScenarios : IDisposable
{
    protected readonly TempFolder Folder = new();
    protected readonly FleetMigrator Migrator = new();

    /// <summary>A fresh tenant that exists and is empty (a file, a schema or a database).</summary>
    protected abstract Task<Tenant> CreateEmptyTenantAsync(string name);

    /// <summary>The tenant's catalog, as <see cref="CatalogDump"/> reads it.</summary>
    protected abstract Task<IReadOnlyList<string>> DumpAsync(Tenant tenant);

    public void Dispose()
    {
        Folder.Dispose();
        GC.SuppressFinalize(this);
    }

    protected string Migrations => Folder.Combine("migrations");

    protected void WriteMigration(string fileName, string sql) => Folder.Write(Path.Combine("migrations", fileName), sql);

    protected async Task<DbConnection> OpenAsync(Tenant tenant)
    {
        var dialect = Migrator.DialectFor(tenant);
        var connection = dialect.CreateConnection(tenant, forWriting: true);
        await connection.OpenAsync();
        await dialect.PrepareSessionAsync(connection, tenant, CancellationToken.None);
        return connection;
    }

    protected async Task ExecuteAsync(Tenant tenant, string sql)
    {
        await using var connection = await OpenAsync(tenant);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>(version, description, kind, state, checksum, script name) of each journal row, oldest first.</summary>
    protected async Task<List<string>> JournalAsync(Tenant tenant)
    {
        await using var connection = await OpenAsync(tenant);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT version, description, kind, state, checksum, script_name FROM tenant_migrations_history ORDER BY installed_rank";
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(string.Join(" | ", Enumerable.Range(0, 6).Select(i => reader.IsDBNull(i) ? "-" : Convert.ToString(reader.GetValue(i)))));
        }
        return rows;
    }

    protected async Task<IReadOnlyList<TenantMigrationResult>> MigrateAsync(Tenant tenant, MigrationSet set, MigrateOptions? options = null)
    {
        var sink = new RecordingSink();
        await Migrator.MigrateAsync([tenant], set, options ?? new MigrateOptions { LockTimeout = TimeSpan.FromSeconds(2), CreateMissing = true }, sink);
        return sink.Results;
    }

    /// <summary>
    /// V1 (with a placeholder and a trailing comment), V2, a repeatable view, V3 applied then undone, and V4 failed:
    /// what counts as applied is V1, V2 and the view.
    /// </summary>
    protected async Task<Tenant> SourceWithHistoryAsync(string name = "acme")
    {
        WriteMigration("V1__init.sql", "CREATE TABLE customers (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL, region VARCHAR(20) DEFAULT ${tenant:literal});\nCREATE INDEX ix_customers_name ON customers (name);\n-- customers first\n");
        WriteMigration("V2__orders.sql", "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL, total DECIMAL(10,2), note TEXT);\nCREATE UNIQUE INDEX ux_orders_customer ON orders (customer_id, id);\n");
        WriteMigration("V3__audit.sql", "CREATE TABLE audit (id INTEGER NOT NULL, at VARCHAR(30));\n");
        WriteMigration("U3__audit.sql", "DROP TABLE audit;\n");
        WriteMigration("R__views.sql", "DROP VIEW IF EXISTS order_totals;\nCREATE VIEW order_totals AS SELECT customer_id, SUM(total) AS total FROM orders GROUP BY customer_id;\n");
        var source = await CreateEmptyTenantAsync(name);
        Assert.All(await MigrateAsync(source, MigrationSet.Load(Migrations)), r => Assert.True(r.Succeeded, r.Error?.Message));
        var undo = new MigrateOptions { LockTimeout = TimeSpan.FromSeconds(2), Undo = UndoRequest.ToTarget(MigrationVersion.Parse("2")) };
        Assert.All(await MigrateAsync(source, MigrationSet.Load(Migrations), undo), r => Assert.True(r.Succeeded, r.Error?.Message));
        // V3 leaves the folder once undone, so that the next run does not apply it again.
        File.Delete(Path.Combine(Migrations, "V3__audit.sql"));
        File.Delete(Path.Combine(Migrations, "U3__audit.sql"));
        WriteMigration("V4__broken.sql", "INSERT INTO no_such_table (id) VALUES (1);\n");
        Assert.All(await MigrateAsync(source, MigrationSet.Load(Migrations)), r => Assert.Equal(TenantState.Failed, r.StateAfter));
        return source;
    }

    private static void AssertIsTheExpectedSchema(IReadOnlyList<string> dump)
    {
        Assert.Contains(dump, line => line.StartsWith("relation customers ", StringComparison.Ordinal));
        Assert.Contains(dump, line => line.StartsWith("relation orders ", StringComparison.Ordinal));
        Assert.Contains(dump, line => line.StartsWith("relation order_totals ", StringComparison.Ordinal));
        Assert.Contains(dump, line => line.Contains("ix_customers_name", StringComparison.Ordinal));
        Assert.Contains(dump, line => line.Contains("ux_orders_customer", StringComparison.Ordinal));
        Assert.DoesNotContain(dump, line => line.Contains("audit", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Replay_rebuilds_the_source_schema_and_journals_the_source_versions_and_checksums()
    {
        var source = await SourceWithHistoryAsync();
        var target = await CreateEmptyTenantAsync("sandbox");
        var host = new CommandHostRecorder();

        using (var replay = new HistoryReplayCommand(MigrationSet.Load(Migrations), source, target, new MigrateOptions { LockTimeout = TimeSpan.FromSeconds(2) }, Migrator))
        {
            replay.Run(host);
        }

        Assert.Empty(host.Errors);
        var result = Assert.IsType<TenantMigrationResult>(Assert.Single(host.Objects));
        Assert.True(result.Succeeded, result.Error?.Message);
        Assert.Equal(["1", "2", null], result.Applied.Select(a => a.Version));
        Assert.Contains(host.Warnings, w => w.Contains("4 (failed)", StringComparison.Ordinal));
        var sourceDump = await DumpAsync(source);
        AssertIsTheExpectedSchema(sourceDump);
        Assert.Equal(sourceDump, await DumpAsync(target));

        var sourceRows = (await JournalAsync(source)).Where(r => r.StartsWith("1 ", StringComparison.Ordinal) || r.StartsWith("2 ", StringComparison.Ordinal) || r.StartsWith("- | views", StringComparison.Ordinal))
            .Where(r => r.Contains("| succeeded |", StringComparison.Ordinal) && !r.Contains("| undo |", StringComparison.Ordinal)).ToList();
        Assert.Equal(sourceRows, await JournalAsync(target));
    }

    [Fact]
    public async Task Export_writes_a_folder_that_rebuilds_the_source_schema_on_an_empty_tenant()
    {
        var source = await SourceWithHistoryAsync();
        var output = Folder.Combine("acme-history");
        var host = new CommandHostRecorder();

        using (var export = new HistoryExportCommand(MigrationSet.Load(Migrations), output, force: false, migrator: Migrator))
        {
            export.Add(source, host);
            export.Run(host);
        }

        Assert.Empty(host.Errors);
        var result = Assert.IsType<TenantHistoryExport>(Assert.Single(host.Objects));
        Assert.Equal(["V1__init.sql", "V2__orders.sql", "R__views.sql"], result.Files);
        Assert.Equal(["4"], result.Skipped);
        Assert.Equal(["README.md", "R__views.sql", "V1__init.sql", "V2__orders.sql"], Directory.GetFiles(output).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var readme = File.ReadAllText(Path.Combine(output, "README.md"));
        Assert.Contains("Source tenant: acme", readme, StringComparison.Ordinal);
        Assert.Contains($"Engine: {source.Engine}", readme, StringComparison.Ordinal);
        Assert.Contains("'acme'", File.ReadAllText(Path.Combine(output, "V1__init.sql")), StringComparison.Ordinal);
        Assert.Contains(host.Warnings, w => w.Contains("4 (failed)", StringComparison.Ordinal));

        var rebuilt = await CreateEmptyTenantAsync("rebuilt");
        Assert.All(await MigrateAsync(rebuilt, MigrationSet.Load(output)), r => Assert.True(r.Succeeded, r.Error?.Message));
        var sourceDump = await DumpAsync(source);
        AssertIsTheExpectedSchema(sourceDump);
        Assert.Equal(sourceDump, await DumpAsync(rebuilt));
        // A file without placeholders keeps its checksum, so the rebuilt tenant can later take the real folder.
        var v2 = (await JournalAsync(source)).First(r => r.StartsWith("2 |", StringComparison.Ordinal));
        Assert.Contains(v2, await JournalAsync(rebuilt));
    }

    [Fact]
    public async Task Replay_refuses_a_target_that_holds_a_table_and_changes_nothing()
    {
        var source = await SourceWithHistoryAsync();
        var target = await CreateEmptyTenantAsync("busy");
        await ExecuteAsync(target, "CREATE TABLE leftover (id INTEGER)");
        var before = await DumpAsync(target);

        using var replay = new HistoryReplayCommand(MigrationSet.Load(Migrations), source, target, new MigrateOptions(), Migrator);
        var refused = Assert.Throws<CommandTerminatingException>(() => replay.Run(new CommandHostRecorder()));

        Assert.Equal(ReplayErrorIds.TargetNotEmpty, refused.Error.ErrorId);
        Assert.Contains("'busy'", refused.Error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await DumpAsync(target));
    }

    [Fact]
    public async Task Replay_refuses_a_target_whose_journal_has_rows()
    {
        var source = await SourceWithHistoryAsync();
        var target = await CreateEmptyTenantAsync("journaled");
        Folder.Write(Path.Combine("other", "V1__marker.sql"), "SELECT 1;\n");
        Assert.All(await MigrateAsync(target, MigrationSet.Load(Folder.Combine("other"))), r => Assert.True(r.Succeeded, r.Error?.Message));

        using var replay = new HistoryReplayCommand(MigrationSet.Load(Migrations), source, target, new MigrateOptions(), Migrator);
        var refused = Assert.Throws<CommandTerminatingException>(() => replay.Run(new CommandHostRecorder()));

        Assert.Equal(ReplayErrorIds.TargetNotEmpty, refused.Error.ErrorId);
        Assert.Contains("1 journal row(s)", refused.Error.Message, StringComparison.Ordinal);
        Assert.Single(await JournalAsync(target));
    }
}

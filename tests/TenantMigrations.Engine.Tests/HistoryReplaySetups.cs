using Npgsql;
using TenantMigrations.Engine.Commands;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Replay;
using TenantMigrations.TestSupport;

namespace TenantMigrations.Engine.Tests;

/// <summary>History export and replay with one SQLite file per tenant.</summary>
public sealed class SqliteHistoryReplayTests : HistoryReplayScenarios
{
    protected override Task<Tenant> CreateEmptyTenantAsync(string name)
    {
        var path = Folder.Combine("tenants", name + ".db");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, []);
        return Task.FromResult(SqliteTenant(name, path));
    }

    private static Tenant SqliteTenant(string name, string path) => new() { Name = name, Engine = DatabaseEngine.Sqlite, ConnectionString = $"Data Source={path}" };

    protected override async Task<IReadOnlyList<string>> DumpAsync(Tenant tenant)
    {
        await using var connection = await OpenAsync(tenant);
        return await CatalogDump.SqliteAsync(connection);
    }

    [Fact]
    public async Task Replay_refuses_a_target_file_that_does_not_exist()
    {
        var source = await SourceWithHistoryAsync();
        var missing = SqliteTenant("ghost", Folder.Combine("tenants", "ghost.db"));

        using var replay = new HistoryReplayCommand(MigrationSet.Load(Migrations), source, missing, new MigrateOptions(), Migrator);
        var refused = Assert.Throws<CommandTerminatingException>(() => replay.Run(new CommandHostRecorder()));

        Assert.Equal(ReplayErrorIds.TargetNotFound, refused.Error.ErrorId);
        Assert.Contains("ghost.db", refused.Error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Folder.Combine("tenants", "ghost.db")));
    }

    [Fact]
    public async Task Export_refuses_a_folder_that_is_not_empty_and_writes_nothing_unless_forced()
    {
        var source = await SourceWithHistoryAsync();
        var output = Folder.Combine("out");
        Folder.Write(Path.Combine("out", "V9__stale.sql"), "CREATE TABLE stale (id INTEGER);\n");
        var host = new CommandHostRecorder();

        using (var export = new HistoryExportCommand(MigrationSet.Load(Migrations), output, force: false, migrator: Migrator))
        {
            export.Add(source, host);
            var refused = Assert.Throws<CommandTerminatingException>(() => export.Run(host));
            Assert.Equal(ReplayErrorIds.OutputExists, refused.Error.ErrorId);
            Assert.Contains(output, refused.Error.Message, StringComparison.Ordinal);
        }

        Assert.Equal(["V9__stale.sql"], Directory.GetFiles(output).Select(Path.GetFileName));

        var forced = new CommandHostRecorder();
        using (var export = new HistoryExportCommand(MigrationSet.Load(Migrations), output, force: true, migrator: Migrator))
        {
            export.Add(source, forced);
            Assert.NotNull(export.Run(forced));
        }
        Assert.Empty(forced.Errors);
        Assert.Equal(["README.md", "R__views.sql", "V1__init.sql", "V2__orders.sql"], Directory.GetFiles(output).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_custom_journal_table_is_read_on_the_source_and_named_in_the_exported_settings()
    {
        Folder.Write(Path.Combine("migrations", "tenantmigrations.json"), """{ "journalTable": "tm_journal" }""");
        WriteMigration("V1__init.sql", "CREATE TABLE customers (id INTEGER PRIMARY KEY);\n");
        var source = await CreateEmptyTenantAsync("custom");
        Assert.All(await MigrateAsync(source, MigrationSet.Load(Migrations)), r => Assert.True(r.Succeeded, r.Error?.Message));
        var output = Folder.Combine("custom-history");
        var host = new CommandHostRecorder();

        using (var export = new HistoryExportCommand(MigrationSet.Load(Migrations), output, force: false, migrator: Migrator))
        {
            export.Add(source, host);
            Assert.NotNull(export.Run(host));
        }

        Assert.Empty(host.Errors);
        Assert.Equal("tm_journal", MigrationSet.Load(output).Settings.JournalTable);
        var rebuilt = await CreateEmptyTenantAsync("rebuilt");
        Assert.All(await MigrateAsync(rebuilt, MigrationSet.Load(output)), r => Assert.True(r.Succeeded, r.Error?.Message));
        await using var connection = await OpenAsync(rebuilt);
        Assert.Equal(["column customers.id #1 INTEGER NULL", "relation customers table"], await CatalogDump.SqliteAsync(connection, "tm_journal"));
    }

    [Fact]
    public async Task A_baselined_source_is_refused_by_export_and_replay_with_a_clear_error()
    {
        WriteMigration("V1__init.sql", "CREATE TABLE customers (id INTEGER PRIMARY KEY);\n");
        WriteMigration("V2__orders.sql", "CREATE TABLE orders (id INTEGER PRIMARY KEY);\n");
        var source = await CreateEmptyTenantAsync("adopted");
        await ExecuteAsync(source, "CREATE TABLE customers (id INTEGER PRIMARY KEY)");
        var baseline = new MigrateOptions { BaselineAt = MigrationVersion.Parse("1") };
        Assert.All(await MigrateAsync(source, MigrationSet.Load(Migrations), baseline), r => Assert.True(r.Succeeded, r.Error?.Message));
        Assert.All(await MigrateAsync(source, MigrationSet.Load(Migrations)), r => Assert.True(r.Succeeded, r.Error?.Message));
        var target = await CreateEmptyTenantAsync("copy");

        using var replay = new HistoryReplayCommand(MigrationSet.Load(Migrations), source, target, new MigrateOptions(), Migrator);
        var refused = Assert.Throws<CommandTerminatingException>(() => replay.Run(new CommandHostRecorder()));
        Assert.Equal(ReplayErrorIds.HistoryNotReplayable, refused.Error.ErrorId);
        Assert.Contains("'adopted' was baselined at version 1", refused.Error.Message, StringComparison.Ordinal);
        Assert.Empty(await DumpAsync(target));

        var host = new CommandHostRecorder();
        using var export = new HistoryExportCommand(MigrationSet.Load(Migrations), Folder.Combine("adopted-history"), force: false, migrator: Migrator);
        export.Add(source, host);
        Assert.Null(export.Run(host));
        Assert.Equal(ReplayErrorIds.HistoryNotReplayable, Assert.Single(host.Errors).ErrorId);
        Assert.False(Directory.Exists(Folder.Combine("adopted-history")));
    }

    [Fact]
    public async Task Replay_under_WhatIf_plans_the_source_history_and_changes_nothing()
    {
        var source = await SourceWithHistoryAsync();
        var target = await CreateEmptyTenantAsync("preview");
        var host = new CommandHostRecorder(approve: false);

        using (var replay = new HistoryReplayCommand(MigrationSet.Load(Migrations), source, target, new MigrateOptions(), Migrator))
        {
            replay.Run(host);
        }

        var planned = Assert.IsType<TenantMigrationResult>(Assert.Single(host.Objects));
        Assert.True(planned.DryRun);
        Assert.Equal(["1", "2", null], planned.Planned.Select(p => p.Version));
        Assert.Empty(await DumpAsync(target));
    }
}

/// <summary>History export and replay with one PostgreSQL schema per tenant, in one database.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresSchemaHistoryReplayTests(PostgresFixture postgres) : HistoryReplayScenarios
{
    private string? connectionString;

    protected override async Task<Tenant> CreateEmptyTenantAsync(string name)
    {
        connectionString ??= await postgres.NewDatabaseAsync("replay");
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE SCHEMA {name}", connection);
            await command.ExecuteNonQueryAsync();
        }
        return new Tenant { Name = name, Engine = DatabaseEngine.Postgres, ConnectionString = connectionString, Schema = name };
    }

    protected override async Task<IReadOnlyList<string>> DumpAsync(Tenant tenant)
    {
        await using var connection = await OpenAsync(tenant);
        return await CatalogDump.PostgresAsync(connection, tenant.Schema!);
    }

    [Fact]
    public async Task Replay_refuses_scripts_that_name_the_source_schema_since_they_would_change_the_source()
    {
        WriteMigration("V1__init.sql", "CREATE TABLE ${schema:identifier}.customers (id INTEGER PRIMARY KEY);\n");
        var source = await CreateEmptyTenantAsync("acme");
        Assert.All(await MigrateAsync(source, MigrationSet.Load(Migrations)), r => Assert.True(r.Succeeded, r.Error?.Message));
        var target = await CreateEmptyTenantAsync("sandbox");

        using var replay = new HistoryReplayCommand(MigrationSet.Load(Migrations), source, target, new MigrateOptions(), Migrator);
        var refused = Assert.Throws<CommandTerminatingException>(() => replay.Run(new CommandHostRecorder()));

        Assert.Equal(ReplayErrorIds.HistoryNotReplayable, refused.Error.ErrorId);
        Assert.Contains("V1__init.sql", refused.Error.Message, StringComparison.Ordinal);
        Assert.Contains("\"acme\"", refused.Error.Message, StringComparison.Ordinal);
        Assert.Empty(await DumpAsync(target));
    }

    [Fact]
    public async Task Replay_into_a_sqlite_twin_splits_the_statements_for_sqlite_and_builds_the_same_tables()
    {
        WriteMigration("V1__init.sql", "CREATE TABLE customers (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL);\nCREATE INDEX ix_customers_name ON customers (name);\n-- trailing comment\n");
        WriteMigration("V2__orders.sql", "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL, total DECIMAL(10,2));\n");
        WriteMigration("R__views.sql", "DROP VIEW IF EXISTS order_totals;\nCREATE VIEW order_totals AS SELECT customer_id, SUM(total) AS total FROM orders GROUP BY customer_id;\n");
        var source = await CreateEmptyTenantAsync("acme");
        Assert.All(await MigrateAsync(source, MigrationSet.Load(Migrations)), r => Assert.True(r.Succeeded, r.Error?.Message));
        Directory.CreateDirectory(Folder.Combine("twins"));
        File.WriteAllBytes(Folder.Combine("twins", "twin.db"), []);
        var twin = new Tenant { Name = "twin", Engine = DatabaseEngine.Sqlite, ConnectionString = $"Data Source={Folder.Combine("twins", "twin.db")}" };
        var native = new Tenant { Name = "native", Engine = DatabaseEngine.Sqlite, ConnectionString = $"Data Source={Folder.Combine("twins", "native.db")}" };
        var host = new CommandHostRecorder();

        using (var replay = new HistoryReplayCommand(MigrationSet.Load(Migrations), source, twin, new MigrateOptions(), Migrator))
        {
            replay.Run(host);
        }
        Assert.All(await MigrateAsync(native, MigrationSet.Load(Migrations)), r => Assert.True(r.Succeeded, r.Error?.Message));

        Assert.Empty(host.Errors);
        Assert.True(Assert.IsType<TenantMigrationResult>(Assert.Single(host.Objects)).Succeeded);
        await using var twinConnection = await OpenAsync(twin);
        await using var nativeConnection = await OpenAsync(native);
        var twinDump = await CatalogDump.SqliteAsync(twinConnection);
        Assert.Contains("relation order_totals view", twinDump);
        Assert.Contains(twinDump, line => line.Contains("ix_customers_name", StringComparison.Ordinal));
        Assert.Equal(await CatalogDump.SqliteAsync(nativeConnection), twinDump);
        var sourceJournal = await JournalAsync(source);
        Assert.Equal(sourceJournal, await JournalAsync(twin));
    }
}

/// <summary>History export and replay with one PostgreSQL database per tenant.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresDatabaseHistoryReplayTests(PostgresFixture postgres) : HistoryReplayScenarios
{
    protected override async Task<Tenant> CreateEmptyTenantAsync(string name)
    {
        var connectionString = await postgres.NewDatabaseAsync(name);
        return new Tenant { Name = name, Engine = DatabaseEngine.Postgres, ConnectionString = connectionString };
    }

    protected override async Task<IReadOnlyList<string>> DumpAsync(Tenant tenant)
    {
        await using var connection = await OpenAsync(tenant);
        return await CatalogDump.PostgresAsync(connection, "public");
    }
}

/// <summary>History export and replay with one MariaDB database per tenant.</summary>
[Collection(MariaDbCollection.Name)]
public sealed class MySqlHistoryReplayTests(MariaDbFixture mariadb) : HistoryReplayScenarios
{
    protected override async Task<Tenant> CreateEmptyTenantAsync(string name)
    {
        var database = await mariadb.NewDatabaseAsync(name);
        return new Tenant { Name = name, Engine = DatabaseEngine.MySql, ConnectionString = mariadb.Server.ConnectionStringFor(database) };
    }

    protected override async Task<IReadOnlyList<string>> DumpAsync(Tenant tenant)
    {
        await using var connection = await OpenAsync(tenant);
        return await CatalogDump.MySqlAsync(connection);
    }
}

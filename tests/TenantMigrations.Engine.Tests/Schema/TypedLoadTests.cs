using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Schema.Typed;
using TenantMigrations.TestSupport;

namespace TenantMigrations.Engine.Tests.Schema;

/// <summary>Loading typed migrations: errors name the file, the operation and the field; variants and checksums follow the SQL files' rules.</summary>
public sealed class TypedLoadTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    private string Write(string fileName, string text) => folder.Write(Path.Combine("m", fileName), text);

    private MigrationSet Load() => MigrationSet.Load(folder.Combine("m"));

    private MigrationSetException LoadFails() => Assert.Throws<MigrationSetException>(Load);

    private const string Orders = """{ "operations": [ { "op": "createTable", "table": "orders", "columns": [ { "name": "id", "type": "Int", "primaryKey": true }, { "name": "placed_at", "type": "DateTime" } ] } ] }""";

    [Theory]
    [InlineData("""{ "operations": [ { "op": "createTable", "table": "t", "columns": [ { "name": "id", "type": "Int" } ] }, { "op": "addColumns", "table": "t" } ] }""", "operation 2: field 'op': unknown operation 'addColumns'")]
    [InlineData("""{ "operations": [ { "op": "createTable", "table": "t", "columns": [ { "name": "id", "type": "Int" }, { "name": "n", "type": "String", "lenght": 5 } ] } ] }""", "operation 1 (createTable), field 'columns[1]': field 'lenght': unknown field")]
    [InlineData("""{ "operations": [ { "op": "createTable", "table": "t", "columns": [ { "name": "n", "type": "String" } ] } ] }""", "operation 1 (createTable), field 'columns[0]': field 'length': a String column needs a length")]
    [InlineData("""{ "operations": [ { "op": "createTable", "table": "t", "columns": [ { "name": "n", "type": "Decimal" } ] } ] }""", "field 'type': unknown type 'Decimal'")]
    [InlineData("""{ "operations": [ { "op": "dropTable", "table": "t; DROP TABLE x" } ] }""", "operation 1 (dropTable): field 'table': 't; DROP TABLE x' cannot be used as a name")]
    [InlineData("""{ "operations": [ { "op": "addColumn", "table": "t", "column": { "name": "c", "type": "Int", "nullable": false }, "backfill": { "batchSize": 10 } } ] }""", "operation 1 (addColumn), field 'backfill': field 'expression': a backfill has exactly one of")]
    [InlineData("""{ "operations": [ { "op": "createTable", "table": "t", "columns": [ { "name": "id", "type": "Int", "primaryKey": true, "nullable": true } ] } ] }""", "field 'nullable': a primary key column cannot be nullable")]
    [InlineData("""{ "operations": [ ] }""", "empty migration")]
    [InlineData("""{ "operations": [ { "op": "createTable", """, "not valid JSON")]
    [InlineData("""{ "operations": [ { "op": "sql", "postgres": "SELECT 1" } ] }""", "operation 1 (sql) cannot run on MySql: it has no SQL for MySql")]
    public void A_bad_typed_file_is_a_load_error_naming_the_file_the_operation_and_the_field(string text, string expected)
    {
        var path = Write("V1__bad.json", text);

        var error = LoadFails();

        Assert.Equal(path, error.FilePath);
        Assert.Contains(expected, error.Message);
        Assert.StartsWith(path + ": ", error.Message);
    }

    [Fact]
    public void A_concurrent_index_inside_a_transaction_is_an_error_for_postgres_only()
    {
        Write("V1__orders.json", Orders);
        var path = Write("V2__index.json", """{ "operations": [ { "op": "dropIndex", "table": "orders", "name": "ix_old" }, { "op": "createIndex", "table": "orders", "name": "ix_orders_placed", "columns": ["placed_at"], "concurrent": true } ] }""");

        var error = LoadFails();

        Assert.Equal(path, error.FilePath);
        Assert.Contains("operation 2 (createIndex) cannot run on Postgres: a concurrent index cannot be built inside a transaction", error.Message);

        Write("V2__index.json", """{ "transaction": false, "operations": [ { "op": "createIndex", "table": "orders", "name": "ix_orders_placed", "columns": ["placed_at"], "concurrent": true } ] }""");
        var set = Load();
        Assert.Contains("ALGORITHM=INPLACE LOCK=NONE", set.Versioned[1].FileFor(DatabaseEngine.MySql)!.Content);
        Assert.Contains("CREATE INDEX \"ix_orders_placed\" ON \"orders\"", set.Versioned[1].FileFor(DatabaseEngine.Sqlite)!.Content);
        Assert.False(set.Versioned[1].FileFor(DatabaseEngine.Postgres)!.Directives.Transaction);
    }

    [Fact]
    public void A_sqlite_rebuild_of_a_table_no_typed_migration_created_is_a_load_error()
    {
        Write("V1__orders.sql", "CREATE TABLE orders (id INTEGER PRIMARY KEY);");
        var path = Write("V2__status.json", """{ "operations": [ { "op": "addColumn", "table": "orders", "column": { "name": "status", "type": "String(8)", "nullable": false }, "backfill": { "expression": "'new'", "key": "id" } } ] }""");

        var error = LoadFails();

        Assert.Equal(path, error.FilePath);
        Assert.Contains("operation 1 (addColumn) cannot run on Sqlite: making orders.status NOT NULL on SQLite rebuilds the table", error.Message);

        Write("V2__status.sqlite.sql", "ALTER TABLE orders ADD COLUMN status VARCHAR(8) NOT NULL DEFAULT 'new';");
        var set = Load();
        Assert.Equal("V2__status.sqlite.sql", set.Versioned[1].FileFor(DatabaseEngine.Sqlite)!.FileName);
        Assert.Equal("V2__status.json", set.Versioned[1].FileFor(DatabaseEngine.Postgres)!.FileName);
    }

    [Fact]
    public void A_sqlite_rebuild_of_a_table_that_another_table_references_is_a_load_error()
    {
        Write("V1__tables.json", """
            { "operations": [
              { "op": "createTable", "table": "owners", "columns": [ { "name": "id", "type": "Int", "primaryKey": true } ] },
              { "op": "createTable", "table": "pets", "columns": [ { "name": "id", "type": "Int", "primaryKey": true },
                  { "name": "owner_id", "type": "Int", "references": { "table": "owners", "column": "id", "onDelete": "cascade" } } ] } ] }
            """);
        var path = Write("V2__owner_name.json", """{ "operations": [ { "op": "addColumn", "table": "owners", "column": { "name": "name", "type": "Text", "nullable": false }, "backfill": { "expression": "'unknown'" } } ] }""");

        var error = LoadFails();

        Assert.Equal(path, error.FilePath);
        Assert.Contains("operation 1 (addColumn) cannot run on Sqlite", error.Message);
        Assert.Contains("table 'pets' references it", error.Message);
    }

    [Fact]
    public void A_typed_file_renders_per_engine_with_the_checksum_of_the_typed_text()
    {
        Write(MigrationSettings.FileName, """{ "journalTable": "tenant_migrations_history" }""");
        Write("notes.json", "not a migration");
        Write("V1__orders.json", Orders);
        Write("U1__orders.json", """{ "operations": [ { "op": "dropTable", "table": "orders" } ] }""");

        var set = Load();

        var migration = Assert.Single(set.Versioned);
        Assert.Equal([DatabaseEngine.Postgres, DatabaseEngine.MySql, DatabaseEngine.Sqlite], migration.Files.Select(f => f.Engine!.Value));
        Assert.All(migration.Files, f => Assert.Equal(MigrationSet.ChecksumOf(Orders), f.Checksum));
        Assert.Contains("\"placed_at\" timestamp with time zone", migration.FileFor(DatabaseEngine.Postgres)!.Content);
        Assert.Contains("`placed_at` datetime(6)", migration.FileFor(DatabaseEngine.MySql)!.Content);
        Assert.Contains("\"placed_at\" datetime", migration.FileFor(DatabaseEngine.Sqlite)!.Content);
        Assert.Contains("DROP TABLE \"orders\"", Assert.Single(set.Undo).FileFor(DatabaseEngine.Sqlite)!.Content);

        Write("V1__orders.json", Orders.Replace("DateTime", "Text", StringComparison.Ordinal));
        Assert.NotEqual(MigrationSet.ChecksumOf(Orders), Load().Versioned[0].Files[0].Checksum);
    }

    [Fact]
    public void The_typed_scaffold_writes_json_files_that_load_once_operations_are_written()
    {
        var files = Commands.MigrationScaffolder.Create(folder.Combine("m"), "Add invoice status", [DatabaseEngine.Postgres], withUndo: true, new DateTime(2026, 11, 22, 4, 0, 0, DateTimeKind.Utc), typed: true);

        Assert.Equal(["V20261122040000__add_invoice_status.postgres.json", "U20261122040000__add_invoice_status.postgres.json"], files.Select(Path.GetFileName));
        Assert.Contains("empty migration: 'operations' is an empty list", LoadFails().Message);
        foreach (var file in files) File.WriteAllText(file, File.ReadAllText(file).Replace("\"operations\": [", "\"operations\": [ { \"op\": \"sql\", \"default\": \"SELECT 1\" }", StringComparison.Ordinal));
        var set = Load();
        Assert.Equal(DatabaseEngine.Postgres, Assert.Single(Assert.Single(set.Versioned).Files).Engine);
        Assert.Single(set.Undo);
        var next = Commands.MigrationScaffolder.Create(folder.Combine("m"), "next", [], withUndo: false, new DateTime(2026, 11, 22, 4, 0, 0, DateTimeKind.Utc));
        Assert.Equal("V20261122040001__next.sql", Path.GetFileName(Assert.Single(next)));
    }

    [Fact]
    public void The_catalog_text_rule_evens_out_how_engines_print_types_and_defaults()
    {
        Assert.Equal("int", CatalogText.NormalizeType(DatabaseEngine.MySql, "int(11)"));
        Assert.Equal("tinyint(1)", CatalogText.NormalizeType(DatabaseEngine.MySql, "TINYINT(1)"));
        Assert.Equal("longtext", CatalogText.NormalizeType(DatabaseEngine.MySql, "json"));
        Assert.Equal("character varying(32)", CatalogText.NormalizeType(DatabaseEngine.Postgres, "character  varying(32)"));
        Assert.Equal("'open'", CatalogText.NormalizeDefault(DatabaseEngine.Postgres, "'open'::character varying"));
        Assert.Equal("1", CatalogText.NormalizeDefault(DatabaseEngine.Postgres, "true"));
        Assert.Equal("current_timestamp", CatalogText.NormalizeDefault(DatabaseEngine.MySql, "current_timestamp(6)"));
        Assert.Equal("0", CatalogText.NormalizeDefault(DatabaseEngine.Sqlite, "(0)"));
        Assert.Null(CatalogText.NormalizeDefault(DatabaseEngine.MySql, "NULL"));
    }
}

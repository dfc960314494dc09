using System.Data.Common;
using Microsoft.Data.Sqlite;
using TenantMigrations.Engine.Dialects.Sqlite;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Schema.Typed;

namespace TenantMigrations.Engine.Tests.Schema;

public sealed class SqliteTypedTests : TypedScenarios
{
    private int tenants;

    protected override DatabaseEngine Engine => DatabaseEngine.Sqlite;

    protected override Task<Tenant> CreateTenantAsync()
    {
        var name = $"tenant-{++tenants}";
        return Task.FromResult(new Tenant { Name = name, Engine = DatabaseEngine.Sqlite, ConnectionString = $"Data Source={Folder.Combine("data", name + ".db")}" });
    }

    protected override Task<DbConnection> OpenAsync(Tenant tenant)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = SqliteDialect.DatabasePath(tenant), Pooling = false, ForeignKeys = true }.ConnectionString);
        connection.Open();
        return Task.FromResult<DbConnection>(connection);
    }

    protected override string ColumnsQuery(string table) => $"SELECT name, type, CASE \"notnull\" WHEN 0 THEN 1 ELSE 0 END, dflt_value FROM pragma_table_info('{table}') ORDER BY cid";

    protected override string IndexesQuery(string table) => $"SELECT name FROM pragma_index_list('{table}') WHERE origin = 'c'";

    protected override string PrimaryKeyQuery(string table) => $"SELECT name FROM pragma_table_info('{table}') WHERE pk > 0 ORDER BY pk";

    protected override string ForeignKeysQuery(string table) => $"SELECT \"from\", \"table\", \"to\", on_delete FROM pragma_foreign_key_list('{table}') ORDER BY id";

    protected override string SeedItemsSql(int count) =>
        $"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count}) INSERT INTO items (id, amount) SELECT i, i % 100 FROM n";

    [Fact]
    public async Task The_rebuild_keeps_rows_indexes_and_foreign_keys_of_the_table()
    {
        Write("V1__tables.json", """
            { "operations": [
              { "op": "createTable", "table": "owners", "columns": [ { "name": "id", "type": "Int", "primaryKey": true } ] },
              { "op": "createTable", "table": "pets", "columns": [
                  { "name": "id", "type": "Int", "primaryKey": true, "identity": true },
                  { "name": "name", "type": "String(40)", "nullable": false, "unique": true },
                  { "name": "owner_id", "type": "Int", "references": { "table": "owners", "column": "id", "onDelete": "setNull" } } ] },
              { "op": "createIndex", "table": "pets", "name": "ix_pets_owner", "columns": ["owner_id"] } ] }
            """);
        var tenant = await CreateTenantAsync();
        Assert.Null((await MigrateAsync(tenant)).Single().Error);
        await ExecuteAsync(tenant, "INSERT INTO owners (id) VALUES (7); INSERT INTO pets (name, owner_id) VALUES ('rex', 7), ('tom', NULL)");
        Write("V2__legs.json", """
            { "operations": [ { "op": "addColumn", "table": "pets", "column": { "name": "legs", "type": "Int", "nullable": false },
                "backfill": { "perRowQuery": "SELECT 4 + count(*) FROM owners WHERE owners.id = (SELECT owner_id FROM pets p WHERE p.id = @key)", "batchSize": 1 } } ] }
            """);

        var result = (await MigrateAsync(tenant)).Single();

        Assert.Null(result.Error);
        Assert.Equal([["rex", "5"], ["tom", "4"]], await RowsAsync(tenant, "SELECT name, legs FROM pets ORDER BY id"));
        Assert.Equal(["ix_pets_owner", "ux_pets_name"], (await RowsAsync(tenant, IndexesQuery("pets"))).Select(r => r[0]).Order());
        Assert.Equal([["owners", "SET NULL"]], await RowsAsync(tenant, "SELECT \"table\", on_delete FROM pragma_foreign_key_list('pets')"));
        Assert.Equal("0", await ScalarAsync(tenant, "SELECT count(*) FROM sqlite_master WHERE name LIKE '%tm_rebuild%'"));
        Assert.Equal("integer", await ScalarAsync(tenant, "SELECT type FROM pragma_table_info('pets') WHERE name = 'id'"), ignoreCase: true);
        await ExecuteAsync(tenant, "INSERT INTO pets (name, legs) VALUES ('new', 3)");
        Assert.Equal("3", await ScalarAsync(tenant, "SELECT id FROM pets WHERE name = 'new'"));
    }

    [Fact]
    public async Task A_runtime_operation_runs_through_the_engine_and_is_journaled_in_the_tenant()
    {
        Write("V1__base.json", """{ "operations": [ { "op": "createTable", "table": "base", "columns": [ { "name": "id", "type": "Int", "primaryKey": true } ] } ] }""");
        var tenant = await CreateTenantAsync();
        await MigrateAsync(tenant);
        var runner = new TypedOperationRunner(Migrator);
        var createModel = new TypedMigration([new CreateTable("custom_tickets", [
            new ColumnDefinition("id", new ColumnType(ColumnKind.Int)) { PrimaryKey = true, Nullable = false, Identity = true },
            new ColumnDefinition("title", new ColumnType(ColumnKind.String, 80)) { Nullable = false }])]);

        var created = await runner.ApplyAsync(tenant, createModel, "create model tickets", MigrationSet.Load(Migrations));
        var added = await runner.ApplyAsync(tenant, new TypedMigration([new AddColumn("custom_tickets", new ColumnDefinition("done", new ColumnType(ColumnKind.Boolean)) { Nullable = false, Default = new ColumnDefault(DefaultKind.Boolean, "false") })]), "add field done", MigrationSet.Load(Migrations));

        Assert.Null(created.Error);
        Assert.Null(added.Error);
        await ExecuteAsync(tenant, "INSERT INTO custom_tickets (title) VALUES ('first')");
        Assert.Equal("0", await ScalarAsync(tenant, "SELECT done FROM custom_tickets"));
        var journal = await RowsAsync(tenant, "SELECT kind, description, state, script FROM tenant_migrations_history WHERE description LIKE 'runtime %' ORDER BY installed_rank");
        Assert.Equal(2, journal.Count);
        Assert.All(journal, r => Assert.Equal(("repeatable", "succeeded"), (r[0], r[2])));
        Assert.EndsWith(" create model tickets", journal[0][1]);
        Assert.Contains("CREATE TABLE \"custom_tickets\"", journal[0][3]);
        Assert.Contains("ADD COLUMN \"done\" boolean NOT NULL DEFAULT 0", journal[1][3]);

        var again = (await MigrateAsync(tenant)).Single();
        Assert.Equal((TenantState.UpToDate, TenantState.UpToDate), (again.StateBefore, again.StateAfter));
        Assert.Empty(again.Applied);

        var wrong = await Assert.ThrowsAsync<MigrationSetException>(() => runner.ApplyAsync(tenant, new TypedMigration([new RawSql(null, Postgres: "SELECT 1")]), "postgres only", MigrationSet.Load(Migrations)));
        Assert.Contains("operation 1 (sql) cannot run on Sqlite", wrong.Message);
    }
}

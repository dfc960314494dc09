using System.Data.Common;
using Npgsql;

namespace TenantMigrations.Engine.Tests.Schema;

/// <summary>Typed migrations on PostgreSQL with one schema per tenant.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresTypedTests(PostgresFixture postgres) : TypedScenarios
{
    private int tenants;

    protected override DatabaseEngine Engine => DatabaseEngine.Postgres;

    protected override async Task<Tenant> CreateTenantAsync()
    {
        var connectionString = await postgres.NewDatabaseAsync("typed");
        var name = $"tenant_{++tenants}";
        return new Tenant { Name = name, Engine = DatabaseEngine.Postgres, ConnectionString = connectionString, Schema = name };
    }

    protected override async Task<DbConnection> OpenAsync(Tenant tenant)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(tenant.GetConnectionString()) { SearchPath = tenant.Schema }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    protected override string ColumnsQuery(string table) => $"""
        SELECT a.attname, format_type(a.atttypid, a.atttypmod), CASE WHEN a.attnotnull THEN 0 ELSE 1 END, pg_get_expr(d.adbin, d.adrelid)
        FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attrelid = '{table}'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum
        """;

    protected override string IndexesQuery(string table) =>
        $"SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = '{table}' AND indexname NOT LIKE '%\\_pkey'";

    protected override string PrimaryKeyQuery(string table) =>
        $"SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indrelid = '{table}'::regclass AND i.indisprimary";

    protected override string ForeignKeysQuery(string table) => $"""
        SELECT (SELECT attname FROM pg_attribute WHERE attrelid = c.conrelid AND attnum = c.conkey[1]), cf.relname,
               (SELECT attname FROM pg_attribute WHERE attrelid = c.confrelid AND attnum = c.confkey[1]),
               CASE c.confdeltype WHEN 'a' THEN 'no action' WHEN 'r' THEN 'restrict' WHEN 'c' THEN 'cascade' WHEN 'n' THEN 'set null' ELSE 'set default' END
        FROM pg_constraint c JOIN pg_class cf ON cf.oid = c.confrelid
        WHERE c.contype = 'f' AND c.conrelid = '{table}'::regclass ORDER BY c.conname
        """;

    protected override string SeedItemsSql(int count) => $"INSERT INTO items (id, amount) SELECT i, i % 100 FROM generate_series(1, {count}) i";

    /// <summary>The server counts the UPDATE statements on items itself: a statement-level trigger fires once per statement.</summary>
    protected override Task PrepareBatchCountAsync(Tenant tenant) => ExecuteAsync(tenant, """
        CREATE TABLE update_count (n integer NOT NULL);
        INSERT INTO update_count VALUES (0);
        CREATE FUNCTION count_update() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN UPDATE update_count SET n = n + 1; RETURN NULL; END $$;
        CREATE TRIGGER items_updates AFTER UPDATE ON items FOR EACH STATEMENT EXECUTE FUNCTION count_update();
        """);

    /// <summary>Each batch that changed rows, and the last one that found none left.</summary>
    protected override async Task AssertBatchCountAsync(Tenant tenant, int batchesWithRows) =>
        Assert.Equal((batchesWithRows + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), await ScalarAsync(tenant, "SELECT n FROM update_count"));

    [Fact]
    public async Task A_concurrent_index_runs_in_a_file_without_a_transaction()
    {
        Write("V1__orders.json", """{ "operations": [ { "op": "createTable", "table": "orders", "columns": [ { "name": "id", "type": "Int", "primaryKey": true }, { "name": "placed_at", "type": "DateTime" } ] } ] }""");
        Write("V2__orders_index.json", """{ "transaction": false, "operations": [ { "op": "createIndex", "table": "orders", "name": "ix_orders_placed", "columns": ["placed_at"], "concurrent": true } ] }""");
        var tenant = await CreateTenantAsync();

        var result = (await MigrateAsync(tenant)).Single();

        Assert.Null(result.Error);
        Assert.Equal("CREATE INDEX ix_orders_placed ON tenant_1.orders USING btree (placed_at)".Replace("tenant_1", tenant.Schema, StringComparison.Ordinal),
            await ScalarAsync(tenant, "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_orders_placed'"));
        Assert.Contains("CREATE INDEX CONCURRENTLY", await ScalarAsync(tenant, "SELECT script FROM tenant_migrations_history WHERE version = '2'"));
    }

    [Fact]
    public async Task A_failing_backfill_rolls_back_with_the_migration_transaction()
    {
        Write("V1__items.json", """{ "operations": [ { "op": "createTable", "table": "items", "columns": [ { "name": "id", "type": "Int", "primaryKey": true }, { "name": "amount", "type": "Int" } ] } ] }""");
        var tenant = await CreateTenantAsync();
        await MigrateAsync(tenant);
        await ExecuteAsync(tenant, "INSERT INTO items VALUES (1, 5), (2, NULL)");
        Write("V2__total.json", """{ "operations": [ { "op": "addColumn", "table": "items", "column": { "name": "total", "type": "Int", "nullable": false }, "backfill": { "expression": "amount * 2", "batchSize": 1 } } ] }""");

        var result = (await MigrateAsync(tenant)).Single();

        Assert.Equal(ErrorIds.MigrationFailed, result.Error!.ErrorId);
        Assert.Contains("total", result.Error.Message);
        Assert.Equal("0", await ScalarAsync(tenant, "SELECT count(*) FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'items' AND column_name = 'total'"));
    }
}

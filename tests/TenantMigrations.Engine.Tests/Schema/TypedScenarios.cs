using System.Data.Common;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Schema;
using TenantMigrations.Engine.Schema.Typed;
using TenantMigrations.TestSupport;

namespace TenantMigrations.Engine.Tests.Schema;

/// <summary>Typed migrations on a real server of each engine: each operation renders, runs and gives the catalog the projection predicts.</summary>
public abstract class TypedScenarios : IDisposable
{
    protected readonly TempFolder Folder = new();
    protected readonly FleetMigrator Migrator = new();

    protected abstract DatabaseEngine Engine { get; }

    protected abstract Task<Tenant> CreateTenantAsync();

    protected abstract Task<DbConnection> OpenAsync(Tenant tenant);

    /// <summary>The table's columns as the catalog reports them: name, type, nullable, default text.</summary>
    protected abstract string ColumnsQuery(string table);

    /// <summary>The table's index names (no primary key), as the catalog reports them.</summary>
    protected abstract string IndexesQuery(string table);

    /// <summary>The table's primary key columns, in key order.</summary>
    protected abstract string PrimaryKeyQuery(string table);

    /// <summary>The table's foreign keys: column, referenced table, referenced column, ON DELETE action in lower case.</summary>
    protected abstract string ForeignKeysQuery(string table);

    /// <summary>Fills items(id, amount) with ids 1..count.</summary>
    protected abstract string SeedItemsSql(int count);

    public void Dispose()
    {
        Folder.Dispose();
        GC.SuppressFinalize(this);
    }

    protected string Migrations => Folder.Combine("migrations");

    protected void Write(string fileName, string text) => Folder.Write(Path.Combine("migrations", fileName), text);

    protected async Task<IReadOnlyList<TenantMigrationResult>> MigrateAsync(Tenant tenant, RecordingSink? sink = null, MigrateOptions? options = null)
    {
        sink ??= new RecordingSink();
        await Migrator.MigrateAsync([tenant], MigrationSet.Load(Migrations), options ?? new MigrateOptions { LockTimeout = TimeSpan.FromSeconds(5), MaxAttempts = 1, CreateMissing = true }, sink);
        return sink.Results;
    }

    protected async Task<List<string?[]>> RowsAsync(Tenant tenant, string sql)
    {
        await using var connection = await OpenAsync(tenant);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string?[]>();
        while (await reader.ReadAsync())
        {
            rows.Add(Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? null : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        }
        return rows;
    }

    protected async Task<string?> ScalarAsync(Tenant tenant, string sql) => (await RowsAsync(tenant, sql)).FirstOrDefault()?[0];

    protected async Task ExecuteAsync(Tenant tenant, string sql)
    {
        await using var connection = await OpenAsync(tenant);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private async Task<IReadOnlyList<string>> LiveColumnsAsync(Tenant tenant, string table) =>
        (await RowsAsync(tenant, ColumnsQuery(table)))
        .Select(r => $"{r[0]} {CatalogText.NormalizeType(Engine, r[1]!)} {(r[2] is "1" or "True" or "true" or "YES" ? "null" : "not null")} default {CatalogText.NormalizeDefault(Engine, r[3]) ?? "none"}")
        .ToList();

    private static IReadOnlyList<string> ProjectedColumns(DatabaseEngine engine, TableShape table) =>
        table.Columns.Select(c => $"{c.Name} {CatalogText.NormalizeType(engine, c.Type)} {(c.Nullable ? "null" : "not null")} default {CatalogText.NormalizeDefault(engine, c.Default) ?? "none"}").ToList();

    private async Task<IReadOnlyList<string>> LiveIndexesAsync(Tenant tenant, TableShape table) =>
        (await RowsAsync(tenant, IndexesQuery(table.Name))).Select(r => r[0]!)
        // MySQL backs each foreign key with an index of the key's name: part of the key, not an index of its own.
        .Where(name => table.ForeignKeys.All(f => f.Name != name))
        .Order(StringComparer.Ordinal).ToList();

    private const string CreateFile = """
        {
          "operations": [
            { "op": "createTable", "table": "customers", "columns": [
                { "name": "id", "type": "BigInt", "primaryKey": true, "identity": true },
                { "name": "email", "type": "String", "length": 64, "nullable": false, "unique": true },
                { "name": "active", "type": "Boolean", "nullable": false, "default": true },
                { "name": "plan", "type": "String(16)", "default": "basic" },
                { "name": "created_at", "type": "DateTime" },
                { "name": "score", "type": "Float" },
                { "name": "notes", "type": "Text" },
                { "name": "settings", "type": "Json" }
            ] },
            { "op": "createTable", "table": "invoices", "columns": [
                { "name": "id", "type": "Int", "primaryKey": true, "identity": true },
                { "name": "customer_id", "type": "BigInt", "nullable": false, "references": { "table": "customers", "column": "id", "onDelete": "cascade" } },
                { "name": "amount", "type": "Int", "nullable": false, "default": 0 }
            ] }
          ]
        }
        """;

    private const string AlterFile = """
        {
          "operations": [
            { "op": "addColumn", "table": "invoices", "column": { "name": "status", "type": "String", "length": 16 } },
            { "op": "renameColumn", "table": "customers", "from": "notes", "to": "remarks" },
            { "op": "createIndex", "table": "invoices", "name": "ix_invoices_amount", "columns": ["amount"] },
            { "op": "createIndex", "table": "invoices", "name": "ux_invoices_status_amount", "columns": ["status", "amount"], "unique": true },
            { "op": "dropColumn", "table": "customers", "column": "score" },
            { "op": "sql", "default": "INSERT INTO customers (email) VALUES ('a@example.com')" }
          ]
        }
        """;

    private const string DropFile = """
        {
          "operations": [
            { "op": "dropIndex", "table": "invoices", "name": "ix_invoices_amount" },
            { "op": "createTable", "table": "scratch", "columns": [ { "name": "id", "type": "Int", "primaryKey": true } ] },
            { "op": "dropTable", "table": "scratch" }
          ]
        }
        """;

    [Fact]
    public async Task Every_operation_renders_runs_and_the_catalog_equals_the_projected_schema()
    {
        Write("V1__create.json", CreateFile);
        Write("V2__alter.json", AlterFile);
        Write("V3__drop.json", DropFile);
        var tenant = await CreateTenantAsync();

        var result = (await MigrateAsync(tenant)).Single();

        Assert.Null(result.Error);
        Assert.Equal(TenantState.UpToDate, result.StateAfter);
        var set = MigrationSet.Load(Migrations);
        var expected = TypedSchemaProjection.Project(set, Migrator.DialectFor(tenant));
        Assert.Equal(["customers", "invoices"], expected.Tables.Select(t => t.Name));
        foreach (var table in expected.Tables)
        {
            Assert.Equal(ProjectedColumns(Engine, table), await LiveColumnsAsync(tenant, table.Name));
            Assert.Equal(table.Indexes.Select(i => i.Name).Order(StringComparer.Ordinal), await LiveIndexesAsync(tenant, table));
            Assert.Equal(table.PrimaryKey, (await RowsAsync(tenant, PrimaryKeyQuery(table.Name))).Select(r => r[0]!));
            Assert.Equal(
                table.ForeignKeys.Select(f => $"{f.Columns[0]} -> {f.ReferencedTable}.{f.ReferencedColumns[0]} on delete {f.OnDelete}"),
                (await RowsAsync(tenant, ForeignKeysQuery(table.Name))).Select(r => $"{r[0]} -> {r[1]}.{r[2]} on delete {r[3]!.ToLowerInvariant()}"));
        }
        Assert.Equal(["ux_customers_email"], expected.Tables[0].Indexes.Select(i => i.Name));
        Assert.Equal(["ux_invoices_status_amount"], expected.Tables[1].Indexes.Select(i => i.Name));
        Assert.Equal("customer_id -> customers.id on delete cascade", $"{expected.Tables[1].ForeignKeys[0].Columns[0]} -> {expected.Tables[1].ForeignKeys[0].ReferencedTable}.id on delete {expected.Tables[1].ForeignKeys[0].OnDelete}");
        Assert.Equal("0", await ScalarAsync(tenant, "SELECT count(*) FROM customers WHERE remarks IS NOT NULL"));

        var customer = await ScalarAsync(tenant, "SELECT id FROM customers WHERE email = 'a@example.com'");
        Assert.Equal("1", await ScalarAsync(tenant, "SELECT count(*) FROM customers WHERE active = " + (Engine == DatabaseEngine.Postgres ? "true" : "1") + " AND plan = 'basic'"));
        await ExecuteAsync(tenant, $"INSERT INTO invoices (customer_id, amount) VALUES ({customer}, 5)");
        await ExecuteAsync(tenant, $"DELETE FROM customers WHERE id = {customer}");
        Assert.Equal("0", await ScalarAsync(tenant, "SELECT count(*) FROM invoices"));

        var journal = await RowsAsync(tenant, "SELECT version, state, checksum, script_name, script FROM tenant_migrations_history ORDER BY installed_rank");
        Assert.Equal(["1", "2", "3"], journal.Select(r => r[0]));
        Assert.All(journal, r => Assert.Equal("succeeded", r[1]));
        Assert.Equal(MigrationSet.ChecksumOf(CreateFile), journal[0][2]);
        Assert.Equal("V1__create.json", journal[0][3]);
        Assert.Contains("CREATE TABLE", journal[0][4]);
        Assert.DoesNotContain("\"op\"", journal[0][4]);
    }

    [Fact]
    public async Task A_not_null_add_with_a_backfill_of_100000_rows_runs_in_batches_and_leaves_no_null()
    {
        Write("V1__items.json", """
            { "operations": [ { "op": "createTable", "table": "items", "columns": [
                { "name": "id", "type": "Int", "primaryKey": true },
                { "name": "amount", "type": "Int", "nullable": false } ] } ] }
            """);
        var tenant = await CreateTenantAsync();
        Assert.Null((await MigrateAsync(tenant)).Single().Error);
        await ExecuteAsync(tenant, SeedItemsSql(100_000));
        await PrepareBatchCountAsync(tenant);
        Write("V2__items_total.json", """
            { "operations": [ { "op": "addColumn", "table": "items",
                "column": { "name": "total", "type": "BigInt", "nullable": false, "default": 0 },
                "backfill": { "expression": "amount * 2", "batchSize": 10000 } } ] }
            """);
        var sink = new RecordingSink();

        var result = (await MigrateAsync(tenant, sink)).Single();

        Assert.Null(result.Error);
        var batches = sink.Events.OfType<FleetLog>().Where(e => e.Message.Contains("backfill batch", StringComparison.Ordinal)).ToList();
        Assert.Equal(10, batches.Count(e => !e.Message.Contains("changed 0 rows", StringComparison.Ordinal)));
        Assert.All(batches.SkipLast(1), e => Assert.Contains("changed 10000 rows", e.Message));
        await AssertBatchCountAsync(tenant, 10);
        Assert.Equal("0", await ScalarAsync(tenant, "SELECT count(*) FROM items WHERE total IS NULL OR total <> amount * 2"));
        Assert.Equal("100000", await ScalarAsync(tenant, "SELECT count(*) FROM items"));
        var total = (await RowsAsync(tenant, ColumnsQuery("items"))).Single(r => r[0] == "total");
        Assert.False(total[2] is "1" or "True" or "true" or "YES", "total must be NOT NULL after the backfill");
        Assert.Equal("0", CatalogText.NormalizeDefault(Engine, total[3]));
    }

    /// <summary>Where the engine can count UPDATE statements itself, set that up (PostgreSQL: a statement trigger).</summary>
    protected virtual Task PrepareBatchCountAsync(Tenant tenant) => Task.CompletedTask;

    protected virtual Task AssertBatchCountAsync(Tenant tenant, int batchesWithRows) => Task.CompletedTask;

    [Fact]
    public async Task Export_writes_the_rendered_sql_of_a_typed_file()
    {
        Write("V1__create.json", CreateFile);
        var tenant = await CreateTenantAsync();

        var export = (await Migrator.ExportAsync([tenant], MigrationSet.Load(Migrations), new Planning.PlanOptions())).Single();

        Assert.Contains("CREATE TABLE", export.Sql);
        Assert.Contains("ux_customers_email", export.Sql);
        Assert.DoesNotContain("\"op\"", export.Sql);
    }
}

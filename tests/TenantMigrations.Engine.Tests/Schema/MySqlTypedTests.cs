using System.Data.Common;
using TenantMigrations.Engine.Execution;
using TenantMigrations.MySql;

namespace TenantMigrations.Engine.Tests.Schema;

/// <summary>Typed migrations on MariaDB with one database per tenant, where DDL cannot run in a transaction.</summary>
[Collection(MariaDbCollection.Name)]
public sealed class MySqlTypedTests(MariaDbFixture mariadb) : TypedScenarios
{
    protected override DatabaseEngine Engine => DatabaseEngine.MySql;

    protected override async Task<Tenant> CreateTenantAsync()
    {
        var database = await mariadb.NewDatabaseAsync("typed");
        return new Tenant { Name = database, Engine = DatabaseEngine.MySql, ConnectionString = mariadb.Server.ConnectionStringFor(database) };
    }

    protected override async Task<DbConnection> OpenAsync(Tenant tenant)
    {
        var connection = new MySqlConnection(tenant.GetConnectionString());
        await connection.OpenAsync();
        return connection;
    }

    protected override string ColumnsQuery(string table) =>
        $"SELECT COLUMN_NAME, COLUMN_TYPE, CASE IS_NULLABLE WHEN 'YES' THEN 1 ELSE 0 END, COLUMN_DEFAULT FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = '{table}' ORDER BY ORDINAL_POSITION";

    protected override string IndexesQuery(string table) =>
        $"SELECT DISTINCT INDEX_NAME FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = '{table}' AND INDEX_NAME <> 'PRIMARY'";

    protected override string PrimaryKeyQuery(string table) =>
        $"SELECT COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '{table}' AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION";

    protected override string ForeignKeysQuery(string table) => $"""
        SELECT k.COLUMN_NAME, k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, r.DELETE_RULE
        FROM information_schema.KEY_COLUMN_USAGE k
        JOIN information_schema.REFERENTIAL_CONSTRAINTS r ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME
        WHERE k.TABLE_SCHEMA = DATABASE() AND k.TABLE_NAME = '{table}' AND k.REFERENCED_TABLE_NAME IS NOT NULL ORDER BY k.CONSTRAINT_NAME
        """;

    protected override string SeedItemsSql(int count) => $"INSERT INTO items (id, amount) SELECT seq, seq % 100 FROM seq_1_to_{count}";

    [Fact]
    public async Task A_killed_backfill_leaves_the_tenant_incomplete_at_the_step_it_reached()
    {
        Write("V1__items.json", """{ "operations": [ { "op": "createTable", "table": "items", "columns": [ { "name": "id", "type": "Int", "primaryKey": true }, { "name": "amount", "type": "Int", "nullable": false } ] } ] }""");
        var tenant = await CreateTenantAsync();
        await MigrateAsync(tenant);
        await ExecuteAsync(tenant, SeedItemsSql(20_000));
        Write("V2__items_total.json", """
            { "operations": [ { "op": "addColumn", "table": "items", "column": { "name": "total", "type": "Int", "nullable": false },
                "backfill": { "expression": "amount * 2", "batchSize": 1000 } } ] }
            """);
        var killed = 0;
        var sink = new RecordingSink
        {
            OnPost = e =>
            {
                if (e is FleetLog log && log.Message.Contains("backfill batch 3 ", StringComparison.Ordinal) && Interlocked.Exchange(ref killed, 1) == 0)
                {
                    KillSessionsOfAsync(tenant).GetAwaiter().GetResult();
                }
            },
        };
        var options = new MigrateOptions { LockTimeout = TimeSpan.FromSeconds(5), MaxAttempts = 3, RetryBaseDelay = TimeSpan.FromMilliseconds(50) };

        var result = (await MigrateAsync(tenant, sink, options)).Single();

        Assert.Equal(1, killed);
        Assert.Equal(TenantState.Incomplete, result.StateAfter);
        Assert.Equal(ErrorIds.IncompleteMigration, result.Error!.ErrorId);
        Assert.Contains("1 of 3 statements done; in statement 2 (UPDATE `items` SET `total` = amount * 2", result.Error.Message);
        Assert.Contains("backfill batch 3 done (1000 rows)", result.Error.Message);
        var row = (await RowsAsync(tenant, "SELECT state, error FROM tenant_migrations_history WHERE version = '2'")).Single();
        Assert.Equal("running", row[0]);
        Assert.StartsWith("running: 1 of 3 statements done", row[1]);
        Assert.Equal("17000", await ScalarAsync(tenant, "SELECT count(*) FROM items WHERE total IS NULL"));

        var again = (await MigrateAsync(tenant, options: options)).Single();

        Assert.Equal(TenantState.Incomplete, again.StateAfter);
        Assert.Empty(again.Applied);
        Assert.Equal("17000", await ScalarAsync(tenant, "SELECT count(*) FROM items WHERE total IS NULL"));
        Assert.Equal("YES", await ScalarAsync(tenant, "SELECT IS_NULLABLE FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'items' AND column_name = 'total'"));
    }

    /// <summary>KILL every session on the tenant's database but this one: the tool's session dies mid-statement, as in a crash.</summary>
    private async Task KillSessionsOfAsync(Tenant tenant)
    {
        await using var connection = await OpenAsync(tenant);
        var ids = new List<long>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = $"SELECT id FROM information_schema.processlist WHERE db = '{tenant.Name}' AND id <> CONNECTION_ID()";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) ids.Add(Convert.ToInt64(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture));
        }
        Assert.NotEmpty(ids);
        foreach (var id in ids)
        {
            await using var kill = connection.CreateCommand();
            kill.CommandText = $"KILL {id}";
            await kill.ExecuteNonQueryAsync();
        }
    }
}

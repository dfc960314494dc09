using TenantMigrations.Engine.Dialects;
using TenantMigrations.MySql;

namespace TenantMigrations.Engine.Tests;

/// <summary>The MySQL corpus: the split statements run through our client build what the mariadb client builds from the whole file.</summary>
[Collection(MariaDbCollection.Name)]
public sealed class MySqlSplitterCorpusTests(MariaDbFixture mariadb)
{
    public static TheoryData<string> Files => SplitterCorpus.Files("mysql");

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Split_statements_build_the_same_schema_and_rows_as_the_mariadb_client(string file)
    {
        var statements = SqlStatementSplitter.MySql.Split(SplitterCorpus.Content("mysql", file));
        Assert.DoesNotContain(statements, s => s.StartsWith("DELIMITER", StringComparison.OrdinalIgnoreCase) || s.EndsWith("//", StringComparison.Ordinal) || s.EndsWith("$$", StringComparison.Ordinal));
        var split = await mariadb.NewDatabaseAsync("split");
        await using (var connection = new MySqlConnection(mariadb.Server.ConnectionStringFor(split)))
        {
            await connection.OpenAsync();
            await SplitterCorpus.ExecuteEachAsync(connection, statements);
        }
        // --comments: the client keeps comments in routine bodies, as the engine does.
        var whole = await mariadb.NewDatabaseAsync("client");
        var server = mariadb.Server;
        await SplitterCorpus.RunClientAsync(
            "mariadb",
            ["--no-defaults", "--batch", "--comments", "-h", server.Host, "-P", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--protocol=TCP", "-u", server.User, "-D", whole],
            Path.Combine(SplitterCorpus.Folder("mysql"), file),
            new Dictionary<string, string> { ["MYSQL_PWD"] = server.Password });

        var expected = await DescribeAsync(whole);
        var actual = await DescribeAsync(split);

        Assert.Contains(expected, line => line.StartsWith("table ", StringComparison.Ordinal));
        Assert.Contains(expected, line => line.StartsWith("trigger ", StringComparison.Ordinal));
        Assert.Contains(expected, line => line.StartsWith("row ", StringComparison.Ordinal));
        SplitterCorpus.AssertSameDescription(expected, actual);
    }

    /// <summary>Tables, columns, indexes, triggers, routines, views and every row, with the database name masked.</summary>
    private async Task<List<string>> DescribeAsync(string database)
    {
        await using var connection = new MySqlConnection(mariadb.Server.ConnectionStringFor(database));
        await connection.OpenAsync();
        var lines = new List<string>();
        string Mask(string row) => row.Replace(database, "<db>", StringComparison.Ordinal);
        async Task Add(string kind, string sql) => lines.AddRange((await SplitterCorpus.RowsAsync(connection, sql, Mask)).Select(r => $"{kind} {r}"));
        const string here = "= DATABASE()";
        await Add("table", $"SELECT TABLE_NAME, TABLE_TYPE, ENGINE, TABLE_COLLATION, TABLE_COMMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA {here}");
        await Add("column", $"SELECT TABLE_NAME, ORDINAL_POSITION, COLUMN_NAME, COLUMN_TYPE, COLUMN_DEFAULT, IS_NULLABLE, COLUMN_KEY, EXTRA, COLUMN_COMMENT FROM information_schema.COLUMNS WHERE TABLE_SCHEMA {here}");
        await Add("index", $"SELECT TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX, COLUMN_NAME, NON_UNIQUE FROM information_schema.STATISTICS WHERE TABLE_SCHEMA {here}");
        await Add("trigger", $"SELECT TRIGGER_NAME, EVENT_MANIPULATION, EVENT_OBJECT_TABLE, ACTION_TIMING, ACTION_STATEMENT FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA {here}");
        await Add("routine", $"SELECT ROUTINE_NAME, ROUTINE_TYPE, DTD_IDENTIFIER, IS_DETERMINISTIC, ROUTINE_DEFINITION FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA {here}");
        await Add("view", $"SELECT TABLE_NAME, VIEW_DEFINITION FROM information_schema.VIEWS WHERE TABLE_SCHEMA {here}");
        var tables = await SplitterCorpus.RowsAsync(connection, $"SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE' AND TABLE_SCHEMA {here}");
        foreach (var table in tables) await Add($"row {table}", $"SELECT * FROM `{table.Replace("`", "``", StringComparison.Ordinal)}`");
        return lines;
    }
}

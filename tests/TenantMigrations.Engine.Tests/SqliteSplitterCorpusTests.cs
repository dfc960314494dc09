using Microsoft.Data.Sqlite;
using TenantMigrations.Engine.Dialects;
using TenantMigrations.TestSupport;

namespace TenantMigrations.Engine.Tests;

/// <summary>The SQLite corpus: the split statements run through Microsoft.Data.Sqlite build what sqlite3 builds from the whole file.</summary>
public sealed class SqliteSplitterCorpusTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        folder.Dispose();
    }

    public static TheoryData<string> Files => SplitterCorpus.Files("sqlite");

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Split_statements_build_the_same_schema_and_rows_as_sqlite3(string file)
    {
        var statements = SqlStatementSplitter.Sqlite.Split(SplitterCorpus.Content("sqlite", file));
        var split = folder.Combine("split.db");
        await using (var connection = new SqliteConnection($"Data Source={split}"))
        {
            await connection.OpenAsync();
            await SplitterCorpus.ExecuteEachAsync(connection, statements);
        }
        var whole = folder.Combine("whole.db");
        await SplitterCorpus.RunClientAsync("sqlite3", ["-bail", whole], Path.Combine(SplitterCorpus.Folder("sqlite"), file));

        var expected = await DescribeAsync(whole);
        var actual = await DescribeAsync(split);

        Assert.Contains(expected, line => line.StartsWith("schema trigger", StringComparison.Ordinal));
        Assert.Contains(expected, line => line.StartsWith("row ", StringComparison.Ordinal));
        SplitterCorpus.AssertSameDescription(expected, actual);
    }

    /// <summary>sqlite_schema keeps each CREATE statement's text as written, so it compares exactly; then every row.</summary>
    private static async Task<List<string>> DescribeAsync(string path)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly");
        await connection.OpenAsync();
        var lines = (await SplitterCorpus.RowsAsync(connection, "SELECT type, name, tbl_name, sql FROM sqlite_schema")).Select(r => $"schema {r}").ToList();
        var tables = await SplitterCorpus.RowsAsync(connection, "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
        foreach (var table in tables)
        {
            lines.AddRange((await SplitterCorpus.RowsAsync(connection, $"SELECT * FROM \"{table.Replace("\"", "\"\"", StringComparison.Ordinal)}\"")).Select(r => $"row {table} {r}"));
        }
        return lines;
    }
}

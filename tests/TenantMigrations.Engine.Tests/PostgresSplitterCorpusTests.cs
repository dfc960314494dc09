using Npgsql;
using TenantMigrations.Engine.Dialects;

namespace TenantMigrations.Engine.Tests;

/// <summary>The PostgreSQL corpus: the split statements run through Npgsql build what psql builds from the whole file.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresSplitterCorpusTests(PostgresFixture postgres)
{
    private const string UserSchemas = "NOT IN ('pg_catalog', 'information_schema', 'pg_toast')";

    public static TheoryData<string> Files => SplitterCorpus.Files("postgres");

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Split_statements_build_the_same_schema_and_rows_as_psql(string file)
    {
        var statements = SqlStatementSplitter.Postgres.Split(SplitterCorpus.Content("postgres", file));
        var split = await postgres.NewDatabaseAsync("split");
        await using (var connection = new NpgsqlConnection(split))
        {
            await connection.OpenAsync();
            await SplitterCorpus.ExecuteEachAsync(connection, statements);
        }
        var whole = await postgres.NewDatabaseAsync("psql");
        await postgres.Server.ExecuteAsync($"\\i {Path.Combine(SplitterCorpus.Folder("postgres"), file)}", new NpgsqlConnectionStringBuilder(whole).Database!);

        var expected = await DescribeAsync(whole);
        var actual = await DescribeAsync(split);

        Assert.Contains(expected, line => line.StartsWith("table ", StringComparison.Ordinal));
        Assert.Contains(expected, line => line.StartsWith("routine ", StringComparison.Ordinal));
        Assert.Contains(expected, line => line.StartsWith("row ", StringComparison.Ordinal));
        SplitterCorpus.AssertSameDescription(expected, actual);
    }

    /// <summary>Tables, columns, indexes, triggers, routines, views, rules, comments and every row, as sorted text.</summary>
    private static async Task<List<string>> DescribeAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var lines = new List<string>();
        async Task Add(string kind, string sql) => lines.AddRange((await SplitterCorpus.RowsAsync(connection, sql)).Select(r => $"{kind} {r}"));
        await Add("schema", $"SELECT nspname FROM pg_namespace WHERE nspname {UserSchemas} AND nspname NOT LIKE 'pg_temp%' AND nspname NOT LIKE 'pg_toast%'");
        await Add("table", $"SELECT table_schema, table_name, table_type, obj_description(format('%I.%I', table_schema, table_name)::regclass, 'pg_class') FROM information_schema.tables WHERE table_schema {UserSchemas}");
        await Add("column", $"SELECT table_schema, table_name, ordinal_position, column_name, data_type, column_default, is_nullable FROM information_schema.columns WHERE table_schema {UserSchemas}");
        await Add("index", $"SELECT schemaname, tablename, indexname, indexdef FROM pg_indexes WHERE schemaname {UserSchemas}");
        await Add("trigger", "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal");
        await Add("routine", $"SELECT p.oid::regprocedure::text, pg_get_functiondef(p.oid) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname {UserSchemas}");
        await Add("view", $"SELECT schemaname, viewname, definition FROM pg_views WHERE schemaname {UserSchemas}");
        await Add("rule", $"SELECT schemaname, tablename, rulename, definition FROM pg_rules WHERE schemaname {UserSchemas}");
        var tables = await SplitterCorpus.RowsAsync(connection, $"SELECT format('%I.%I', table_schema, table_name) FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_schema {UserSchemas}");
        foreach (var table in tables) await Add($"row {table}", $"SELECT t::text FROM {table} t");
        return lines;
    }
}

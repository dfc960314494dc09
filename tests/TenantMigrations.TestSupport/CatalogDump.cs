using System.Data.Common;
using System.Globalization;

namespace TenantMigrations.TestSupport;

/// <summary>
/// A test-only dump of a tenant's catalog: tables and views, columns with type and nullability, indexes with their
/// columns and uniqueness, one sorted line each. Two tenants with equal dumps have the same schema. The journal table
/// is left out. One query set per engine; each takes an open connection to the tenant.
/// </summary>
public static class CatalogDump
{
    public static Task<IReadOnlyList<string>> PostgresAsync(DbConnection connection, string schema, string journalTable = "tenant_migrations_history") =>
        DumpAsync(connection, journalTable, schema,
            "SELECT 'relation ' || table_name || ' ' || table_type FROM information_schema.tables WHERE table_schema = @schema AND table_name <> @journal",
            """
            SELECT 'column ' || table_name || '.' || column_name || ' #' || ordinal_position || ' ' || data_type
                || coalesce('(' || character_maximum_length || ')', '') || coalesce('(' || numeric_precision || ',' || numeric_scale || ')', '')
                || CASE is_nullable WHEN 'YES' THEN ' NULL' ELSE ' NOT NULL' END
            FROM information_schema.columns WHERE table_schema = @schema AND table_name <> @journal
            """,
            "SELECT 'index ' || tablename || '.' || indexname || ' ' || replace(indexdef, ' ON ' || schemaname || '.', ' ON ') FROM pg_indexes WHERE schemaname = @schema AND tablename <> @journal");

    public static Task<IReadOnlyList<string>> MySqlAsync(DbConnection connection, string journalTable = "tenant_migrations_history") =>
        DumpAsync(connection, journalTable, null,
            "SELECT CONCAT('relation ', table_name, ' ', table_type) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name <> @journal",
            """
            SELECT CONCAT('column ', table_name, '.', column_name, ' #', ordinal_position, ' ', column_type, IF(is_nullable = 'YES', ' NULL', ' NOT NULL'))
            FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name <> @journal
            """,
            """
            SELECT CONCAT('index ', table_name, '.', index_name, IF(non_unique = 0, ' UNIQUE (', ' ('), GROUP_CONCAT(column_name ORDER BY seq_in_index), ')')
            FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name <> @journal GROUP BY table_name, index_name, non_unique
            """);

    public static Task<IReadOnlyList<string>> SqliteAsync(DbConnection connection, string journalTable = "tenant_migrations_history") =>
        DumpAsync(connection, journalTable, null,
            "SELECT 'relation ' || name || ' ' || type FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> @journal",
            """
            SELECT 'column ' || m.name || '.' || p.name || ' #' || (p.cid + 1) || ' ' || p.type || CASE WHEN p."notnull" = 1 THEN ' NOT NULL' ELSE ' NULL' END
            FROM sqlite_master m JOIN pragma_table_info(m.name) p
            WHERE m.type IN ('table', 'view') AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\' AND m.name <> @journal
            """,
            """
            SELECT 'index ' || m.name || '.' || il.name || CASE WHEN il."unique" = 1 THEN ' UNIQUE (' ELSE ' (' END
                || (SELECT group_concat(ii.name) FROM pragma_index_info(il.name) ii) || ')'
            FROM sqlite_master m JOIN pragma_index_list(m.name) il
            WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\' AND m.name <> @journal
            """);

    private static async Task<IReadOnlyList<string>> DumpAsync(DbConnection connection, string journalTable, string? schema, params string[] queries)
    {
        var lines = new List<string>();
        foreach (var query in queries)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = query;
            Add(command, "@journal", journalTable);
            if (schema is not null) Add(command, "@schema", schema);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var value = reader.GetValue(0);
                lines.Add(value is byte[] bytes ? System.Text.Encoding.UTF8.GetString(bytes) : Convert.ToString(value, CultureInfo.InvariantCulture)!);
            }
        }
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    private static void Add(DbCommand command, string name, string value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}

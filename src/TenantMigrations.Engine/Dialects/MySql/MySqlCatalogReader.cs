using System.Data.Common;
using System.Globalization;
using TenantMigrations.Engine.Schema;
using TenantMigrations.Engine.Schema.Catalog;

namespace TenantMigrations.Engine.Dialects.MySql;

/// <summary>
/// Reads the live schemas of many tenant databases on one server with one multi-statement batch over
/// information_schema: the databases are parameters of <c>TABLE_SCHEMA IN (...)</c>, never SQL text.
/// </summary>
internal static class MySqlCatalogReader
{
    public static async Task<IReadOnlyDictionary<Tenant, SchemaSnapshot>> ReadAsync(DbConnection connection, IReadOnlyList<Tenant> tenants, Func<Tenant, string> databaseOf, IReadOnlySet<string> excludedTables, CancellationToken cancellationToken)
    {
        var databases = tenants.Select(databaseOf).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        await using var command = connection.CreateCommand();
        var names = new List<string>();
        for (var i = 0; i < databases.Count; i++)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = $"@db{i.ToString(CultureInfo.InvariantCulture)}";
            parameter.Value = databases[i];
            command.Parameters.Add(parameter);
            names.Add(parameter.ParameterName);
        }
        var inDatabases = $"IN ({string.Join(", ", names)})";
        command.CommandText = string.Join(";\n",
            $"SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA {inDatabases} ORDER BY 1, 2",
            $"SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA FROM information_schema.COLUMNS WHERE TABLE_SCHEMA {inDatabases} ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION",
            $"SELECT TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, NON_UNIQUE, COALESCE(COLUMN_NAME, '?') FROM information_schema.STATISTICS WHERE TABLE_SCHEMA {inDatabases} ORDER BY TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX",
            "SELECT k.TABLE_SCHEMA, k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_SCHEMA, k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, r.DELETE_RULE " +
            "FROM information_schema.KEY_COLUMN_USAGE k JOIN information_schema.REFERENTIAL_CONSTRAINTS r ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND r.TABLE_NAME = k.TABLE_NAME " +
            $"WHERE k.TABLE_SCHEMA {inDatabases} AND k.REFERENCED_TABLE_NAME IS NOT NULL ORDER BY k.TABLE_SCHEMA, k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION",
            $"SELECT TABLE_SCHEMA, TABLE_NAME, VIEW_DEFINITION FROM information_schema.VIEWS WHERE TABLE_SCHEMA {inDatabases} ORDER BY 1, 2");

        var builder = new SnapshotBuilder(excludedTables);
        var views = new HashSet<(string, string)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var (database, table) = (Text(reader, 0)!, Text(reader, 1)!);
            if (string.Equals(Text(reader, 2), "VIEW", StringComparison.OrdinalIgnoreCase)) views.Add((database, table));
            else builder.AddTable(database, table);
        }
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var (database, table) = (Text(reader, 0)!, Text(reader, 1)!);
            if (views.Contains((database, table))) continue;
            builder.AddColumn(database, table, new ColumnShape(Text(reader, 2)!, Text(reader, 3)!.ToLowerInvariant(), Text(reader, 4) == "YES", Default(Text(reader, 5), Text(reader, 6))));
        }
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        var indexes = new List<(string Database, string Table, string Name, bool Unique, List<string> Columns)>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var (database, table, name) = (Text(reader, 0)!, Text(reader, 1)!, Text(reader, 2)!);
            if (indexes.Count == 0 || indexes[^1].Database != database || indexes[^1].Table != table || indexes[^1].Name != name)
            {
                indexes.Add((database, table, name, Convert.ToInt64(reader.GetValue(3), CultureInfo.InvariantCulture) == 0, []));
            }
            indexes[^1].Columns.Add(Text(reader, 4)!);
        }
        foreach (var index in indexes)
        {
            if (index.Name == "PRIMARY") builder.SetPrimaryKey(index.Database, index.Table, index.Columns);
            else builder.AddIndex(index.Database, index.Table, new IndexShape(index.Name, index.Columns, index.Unique));
        }
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        var keys = new List<(string Database, string Table, string Name, List<string> Columns, string ReferencedTable, List<string> ReferencedColumns, string OnDelete)>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var (database, table, name) = (Text(reader, 0)!, Text(reader, 1)!, Text(reader, 2)!);
            if (keys.Count == 0 || keys[^1].Database != database || keys[^1].Table != table || keys[^1].Name != name)
            {
                var referencedDatabase = Text(reader, 4)!;
                var referencedTable = string.Equals(referencedDatabase, database, StringComparison.OrdinalIgnoreCase) ? Text(reader, 5)! : $"{referencedDatabase}.{Text(reader, 5)}";
                keys.Add((database, table, name, [], referencedTable, [], Text(reader, 7)!.ToLowerInvariant()));
            }
            keys[^1].Columns.Add(Text(reader, 3)!);
            keys[^1].ReferencedColumns.Add(Text(reader, 6)!);
        }
        foreach (var key in keys)
        {
            builder.AddForeignKey(key.Database, key.Table, new ForeignKeyShape(key.Name, key.Columns, key.ReferencedTable, key.ReferencedColumns, key.OnDelete));
        }
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var database = Text(reader, 0)!;
            builder.AddView(database, Text(reader, 1)!, SchemaQualifiers.Collapse(SchemaQualifiers.Strip(Text(reader, 2) ?? "", database, '`')!));
        }
        var byDatabase = databases.ToDictionary(d => d, builder.Build, StringComparer.OrdinalIgnoreCase);
        return tenants.ToDictionary(t => t, t => byDatabase[databaseOf(t)]);
    }

    private static string? Text(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : Convert.ToString(reader.GetValue(ordinal), CultureInfo.InvariantCulture);

    /// <summary>MariaDB spells "no default" of a nullable column as the text NULL; MySQL as a real null. An auto-increment column's default is its counter.</summary>
    private static string? Default(string? value, string? extra) =>
        value is null or "NULL"
            ? extra?.Contains("auto_increment", StringComparison.OrdinalIgnoreCase) == true ? "auto_increment" : null
            : value;
}

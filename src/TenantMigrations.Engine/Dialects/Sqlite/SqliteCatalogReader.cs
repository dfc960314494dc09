using Microsoft.Data.Sqlite;
using TenantMigrations.Engine.Schema;
using TenantMigrations.Engine.Schema.Catalog;

namespace TenantMigrations.Engine.Dialects.Sqlite;

/// <summary>
/// Reads one SQLite file's schema from sqlite_schema joined with the pragma table functions, one statement per kind
/// of object. SQLite's own sqlite_* tables are not part of it. Foreign keys have no names in SQLite: they are named
/// after their columns, "fk(customer_id)".
/// </summary>
internal static class SqliteCatalogReader
{
    private const string UserTables = "m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'";

    public static async Task<SchemaSnapshot> ReadAsync(SqliteConnection connection, IReadOnlySet<string> excludedTables, CancellationToken cancellationToken)
    {
        const string owner = "main";
        var builder = new SnapshotBuilder(excludedTables);
        await using (var command = Command(connection, $"SELECT m.name FROM sqlite_schema m WHERE {UserTables} ORDER BY m.name"))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) builder.AddTable(owner, reader.GetString(0));
        }

        var primaryKeys = new Dictionary<string, SortedList<long, string>>(StringComparer.Ordinal);
        await using (var command = Command(connection, $"SELECT m.name, p.name, p.type, p.\"notnull\", p.dflt_value, p.pk FROM sqlite_schema m JOIN pragma_table_info(m.name) p WHERE {UserTables} ORDER BY m.name, p.cid"))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var table = reader.GetString(0);
                builder.AddColumn(owner, table, new ColumnShape(reader.GetString(1), reader.GetString(2).ToLowerInvariant(), reader.GetInt64(3) == 0, reader.IsDBNull(4) ? null : reader.GetString(4)));
                if (reader.GetInt64(5) > 0)
                {
                    if (!primaryKeys.TryGetValue(table, out var key)) primaryKeys[table] = key = [];
                    key[reader.GetInt64(5)] = reader.GetString(1);
                }
            }
        }
        foreach (var (table, key) in primaryKeys) builder.SetPrimaryKey(owner, table, [.. key.Values]);

        await using (var command = Command(connection,
            $"SELECT m.name, il.name, il.\"unique\", il.origin, COALESCE(ii.name, '?') FROM sqlite_schema m JOIN pragma_index_list(m.name) il JOIN pragma_index_info(il.name) ii " +
            $"WHERE {UserTables} AND il.origin <> 'pk' ORDER BY m.name, il.name, ii.seqno"))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            var rows = new List<(string Table, string Name, bool Unique, bool Constraint, List<string> Columns)>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var (table, name) = (reader.GetString(0), reader.GetString(1));
                if (rows.Count == 0 || rows[^1].Table != table || rows[^1].Name != name) rows.Add((table, name, reader.GetInt64(2) == 1, reader.GetString(3) == "u", []));
                rows[^1].Columns.Add(reader.GetString(4));
            }
            foreach (var row in rows) builder.AddIndex(owner, row.Table, new IndexShape(row.Name, row.Columns, row.Unique, row.Constraint));
        }

        await using (var command = Command(connection,
            $"SELECT m.name, f.id, f.\"table\", f.\"from\", COALESCE(f.\"to\", '?'), lower(f.on_delete) FROM sqlite_schema m JOIN pragma_foreign_key_list(m.name) f WHERE {UserTables} ORDER BY m.name, f.id, f.seq"))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            var rows = new List<(string Table, long Id, string Referenced, List<string> Columns, List<string> ReferencedColumns, string OnDelete)>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var (table, id) = (reader.GetString(0), reader.GetInt64(1));
                if (rows.Count == 0 || rows[^1].Table != table || rows[^1].Id != id) rows.Add((table, id, reader.GetString(2), [], [], reader.GetString(5)));
                rows[^1].Columns.Add(reader.GetString(3));
                rows[^1].ReferencedColumns.Add(reader.GetString(4));
            }
            foreach (var row in rows)
            {
                builder.AddForeignKey(owner, row.Table, new ForeignKeyShape(ForeignKeyShape.NameFromColumns(row.Columns), row.Columns, row.Referenced, row.ReferencedColumns, row.OnDelete));
            }
        }

        await using (var command = Command(connection, "SELECT name, sql FROM sqlite_schema WHERE type = 'view' ORDER BY name"))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) builder.AddView(owner, reader.GetString(0), SchemaQualifiers.Collapse(reader.GetString(1)));
        }
        return builder.Build(owner);
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }
}

using TenantMigrations.Engine.Schema;
using TenantMigrations.Engine.Schema.Typed;

namespace TenantMigrations.Engine.Dialects.Sqlite;

/// <summary>
/// Typed operations in SQLite's SQL; the declared types are written lower case, as the catalog then reports them.
/// SQLite cannot make a column NOT NULL in place, so a backfilled NOT NULL add ends with the table rebuild that SQLite's
/// ALTER TABLE documentation gives, rendered from the table as the folder's typed migrations built it.
/// <paramref name="libraryVersion"/> is the SQLite library the tool runs on: RENAME COLUMN needs 3.25, DROP COLUMN 3.35.
/// </summary>
public sealed class SqliteSchemaRenderer(IDatabaseDialect dialect, Version libraryVersion) : SchemaRenderer(dialect)
{
    private const string RebuildSuffix = "__tm_rebuild";

    protected override string TypeName(ColumnDefinition column) => column.Type.Kind switch
    {
        ColumnKind.String => $"varchar({column.Type.Length})",
        ColumnKind.Int => "integer",
        ColumnKind.BigInt when column.Identity => "integer",
        ColumnKind.BigInt => "bigint",
        ColumnKind.Float => "real",
        ColumnKind.Boolean => "boolean",
        ColumnKind.DateTime => "datetime",
        ColumnKind.Text => "text",
        _ => "json",
    };

    protected override string BooleanLiteral(bool value) => value ? "1" : "0";

    /// <summary>SQLite adds a column only with its reference written inline, and a NOT NULL one only with a default.</summary>
    protected override IReadOnlyList<string> RenderAddColumn(AddColumn add)
    {
        if (!add.Column.Nullable && add.Column.Default is null)
        {
            throw new SchemaRenderException($"SQLite cannot add the NOT NULL column {add.Table}.{add.Column.Name} without a default: give it a 'default', or a 'backfill'.");
        }
        var column = ColumnSql(add.Column);
        if (add.Column.References is { } reference)
        {
            column += $" CONSTRAINT {Q(Named(TypedSchemaProjection.ForeignKeyName(add.Table, add.Column.Name)))} REFERENCES {Q(reference.Table)} ({Q(reference.Column)}) ON DELETE {reference.OnDelete.ToUpperInvariant()}";
        }
        var statements = new List<string> { $"ALTER TABLE {Q(add.Table)} ADD COLUMN {column}" };
        if (add.Column.Unique) statements.Add(UniqueIndexSql(add.Table, add.Column.Name));
        return statements;
    }

    /// <summary>
    /// The rebuild of SQLite's "Making Other Kinds Of Table Schema Changes": create the new table, copy, drop the old,
    /// rename the new, re-create the indexes. It runs inside the migration's transaction, where PRAGMA foreign_keys
    /// cannot change, so foreign keys are deferred to the commit instead, which checks them once the table is whole.
    /// Deferring does not hold back ON DELETE actions, which dropping the old table would run on tables that reference
    /// it when a tenant has foreign keys on: such a table is refused rather than rebuilt.
    /// </summary>
    protected override IReadOnlyList<string> RenderSetNotNull(AddColumn add, TypedSchemaProjection model)
    {
        var before = model.Table(add.Table)
            ?? throw new SchemaRenderException($"making {add.Table}.{add.Column.Name} NOT NULL on SQLite rebuilds the table, and table '{add.Table}' was not created by a typed migration of this folder, so its definition is unknown. Create the table in a typed migration, or write a .sqlite.sql variant.");
        var referencing = model.Snapshot().Tables.FirstOrDefault(t => !string.Equals(t.Name, before.Name, StringComparison.OrdinalIgnoreCase)
            && t.ForeignKeys.Any(f => string.Equals(f.ReferencedTable, before.Name, StringComparison.OrdinalIgnoreCase)));
        if (referencing is not null)
        {
            throw new SchemaRenderException($"making {add.Table}.{add.Column.Name} NOT NULL on SQLite rebuilds the table, and table '{referencing.Name}' references it: dropping the old table would run that reference's ON DELETE action where foreign keys are on. Write a .sqlite.sql variant, or add the column with a default instead.");
        }
        var filled = new ColumnShape(add.Column.Name, CatalogType(add.Column), add.Column.Nullable, DefaultText(add.Column));
        var table = before with { Columns = [.. before.Columns.Where(c => !string.Equals(c.Name, add.Column.Name, StringComparison.OrdinalIgnoreCase)), filled] };
        var rebuilt = Named(table.Name + RebuildSuffix);
        var parts = table.Columns.Select(c => $"{Q(c.Name)} {c.Type}{(c.Nullable ? "" : " NOT NULL")}{(c.Default is null ? "" : " DEFAULT " + c.Default)}").ToList();
        if (table.PrimaryKey.Count > 0) parts.Add($"PRIMARY KEY ({Q(table.PrimaryKey)})");
        parts.AddRange(table.ForeignKeys.Select(f => $"CONSTRAINT {Q(f.Name)} FOREIGN KEY ({Q(f.Columns)}) REFERENCES {Q(f.ReferencedTable)} ({Q(f.ReferencedColumns)}) ON DELETE {f.OnDelete.ToUpperInvariant()}"));
        var columns = Q(table.Columns.Select(c => c.Name));
        var statements = new List<string>
        {
            "PRAGMA defer_foreign_keys = ON",
            $"CREATE TABLE {Q(rebuilt)} (\n    {string.Join(",\n    ", parts)}\n)",
            $"INSERT INTO {Q(rebuilt)} ({columns}) SELECT {columns} FROM {Q(table.Name)}",
            $"DROP TABLE {Q(table.Name)}",
            $"ALTER TABLE {Q(rebuilt)} RENAME TO {Q(table.Name)}",
        };
        statements.AddRange(table.Indexes.Select(i => $"CREATE {(i.Unique ? "UNIQUE " : "")}INDEX {Q(i.Name)} ON {Q(table.Name)} ({Q(i.Columns)})"));
        return statements;
    }

    /// <summary>SQLite refuses to drop an indexed column, so the indexes the folder put on it go first.</summary>
    protected override IReadOnlyList<string> RenderDropColumn(DropColumn drop, TypedSchemaProjection model)
    {
        RequireVersion(3, 35, "drop a column");
        var indexes = model.Table(drop.Table)?.Indexes.Where(i => i.Columns.Contains(drop.Column, StringComparer.OrdinalIgnoreCase)) ?? [];
        return [.. indexes.Select(i => $"DROP INDEX {Q(i.Name)}"), .. base.RenderDropColumn(drop, model)];
    }

    protected override IReadOnlyList<string> RenderRenameColumn(RenameColumn rename)
    {
        RequireVersion(3, 25, "rename a column");
        return base.RenderRenameColumn(rename);
    }

    /// <summary>SQLite has one writer at a time, so there is no concurrent build: the index is built the plain way.</summary>
    protected override IReadOnlyList<string> RenderCreateIndex(CreateIndex index, bool inTransaction) =>
        base.RenderCreateIndex(index with { Concurrent = false }, inTransaction);

    private void RequireVersion(int major, int minor, string what)
    {
        if (libraryVersion < new Version(major, minor)) throw new SchemaRenderException($"SQLite {libraryVersion} cannot {what}; it needs SQLite {major}.{minor} or later.");
    }
}

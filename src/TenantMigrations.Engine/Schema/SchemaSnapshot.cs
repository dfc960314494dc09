namespace TenantMigrations.Engine.Schema;

/// <summary>
/// A tenant's schema as the engine's catalog describes it: what drift compares, and what a fully typed migration
/// folder predicts. Names and types are spelled the way the engine's own catalog spells them (PostgreSQL
/// <c>format_type</c>, MySQL <c>COLUMN_TYPE</c>, SQLite's declared type, all lower case), so a snapshot read from a
/// live tenant and one projected from typed operations can be compared object by object. The journal table is never part of it.
/// </summary>
public sealed record SchemaSnapshot(IReadOnlyList<TableShape> Tables, IReadOnlyList<ViewShape> Views)
{
    public static SchemaSnapshot Empty { get; } = new([], []);
}

public sealed record TableShape(
    string Name,
    IReadOnlyList<ColumnShape> Columns,
    IReadOnlyList<string> PrimaryKey,
    IReadOnlyList<IndexShape> Indexes,
    IReadOnlyList<ForeignKeyShape> ForeignKeys);

/// <summary>A column; <paramref name="Default"/> is the catalog's text of the default expression, or null.</summary>
public sealed record ColumnShape(string Name, string Type, bool Nullable, string? Default);

/// <summary>
/// An index or a unique constraint (both are indexes to the engines); the primary key's index is not listed.
/// <paramref name="Constraint"/> marks an index that backs a declared UNIQUE constraint where the engine tells them
/// apart (PostgreSQL, SQLite): it names the object in reports and how a fix drops it, and is not compared.
/// </summary>
public sealed record IndexShape(string Name, IReadOnlyList<string> Columns, bool Unique, bool Constraint = false);

/// <summary>A foreign key; <paramref name="OnDelete"/> is one of "no action", "restrict", "cascade", "set null", "set default".</summary>
public sealed record ForeignKeyShape(string Name, IReadOnlyList<string> Columns, string ReferencedTable, IReadOnlyList<string> ReferencedColumns, string OnDelete)
{
    /// <summary>The name a foreign key gets where the catalog keeps none (SQLite): its columns, "fk(customer_id)".</summary>
    public static string NameFromColumns(IReadOnlyList<string> columns) => $"fk({string.Join(", ", columns)})";
}

/// <summary>A view; the definition is compared after whitespace is collapsed.</summary>
public sealed record ViewShape(string Name, string Definition);

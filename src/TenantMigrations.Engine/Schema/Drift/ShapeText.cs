namespace TenantMigrations.Engine.Schema.Drift;

/// <summary>Schema shapes and drifts as short text for people: reports, drift classes and script comments.</summary>
public static class ShapeText
{
    public static string Of(object shape) => shape switch
    {
        TableShape table => $"table ({string.Join(", ", table.Columns.Select(c => c.Name))})",
        ColumnShape column => Column(column),
        IndexShape index => $"{(index.Constraint ? "unique constraint" : index.Unique ? "unique index" : "index")} ({string.Join(", ", index.Columns)})",
        ForeignKeyShape key => $"({string.Join(", ", key.Columns)}) references {key.ReferencedTable}({string.Join(", ", key.ReferencedColumns)}) on delete {key.OnDelete}",
        ViewShape view => view.Definition,
        IReadOnlyList<string> primaryKey => $"({string.Join(", ", primaryKey)})",
        _ => shape.ToString() ?? "",
    };

    public static string Column(ColumnShape column) =>
        $"{column.Type}{(column.Nullable ? " null" : " not null")}{(column.Default is null ? "" : $" default {column.Default}")}";

    public static string Describe(SchemaDrift drift)
    {
        var what = Word(drift);
        var subject = drift.ObjectType switch
        {
            SchemaObjectType.Table or SchemaObjectType.View => $"{what} {drift.ObjectName}",
            SchemaObjectType.Column => $"{what} {drift.Table}.{drift.ObjectName}",
            SchemaObjectType.PrimaryKey => $"{what} on {drift.Table}",
            _ => $"{what} {drift.ObjectName} on {drift.Table}",
        };
        return drift.Kind switch
        {
            SchemaDifferenceKind.Missing => $"missing {subject}",
            SchemaDifferenceKind.Extra => $"extra {subject}",
            _ when drift is { Expected: ColumnShape expected, Actual: ColumnShape actual } => $"{subject} is {ColumnChange(actual, expected)}, expected {ColumnChange(expected, actual)}",
            _ => $"{subject} is {Of(drift.Actual!)}, expected {Of(drift.Expected!)}",
        };
    }

    private static string Word(SchemaDrift drift) => drift.ObjectType switch
    {
        SchemaObjectType.PrimaryKey => "primary key",
        SchemaObjectType.UniqueConstraint => "unique constraint",
        SchemaObjectType.ForeignKey => "foreign key",
        _ => drift.ObjectType.ToString().ToLowerInvariant(),
    };

    /// <summary>Only the parts of <paramref name="column"/> that differ from <paramref name="other"/>: "varchar(20)", "null".</summary>
    private static string ColumnChange(ColumnShape column, ColumnShape other)
    {
        var parts = new List<string>();
        if (!string.Equals(column.Type, other.Type, StringComparison.OrdinalIgnoreCase)) parts.Add(column.Type);
        if (column.Nullable != other.Nullable) parts.Add(column.Nullable ? "null" : "not null");
        if (column.Default != other.Default) parts.Add(column.Default is null ? "without default" : $"default {column.Default}");
        return string.Join(" ", parts);
    }
}

using TenantMigrations.Engine.Schema.Typed;

namespace TenantMigrations.Engine.Schema.Drift;

/// <summary>
/// Compares a tenant's live schema with its reference, object by object and name by name. A missing or extra table
/// is one difference: its columns and indexes are not listed again. Column order is not compared. Types and defaults
/// compare after <see cref="Typed.CatalogText"/>'s normalisation for the engine, so a projected schema and a live one
/// that mean the same compare equal; on SQLite, which keeps no foreign key names, foreign keys pair by their columns.
/// </summary>
public static class SchemaComparer
{
    public static IReadOnlyList<SchemaDrift> Compare(SchemaSnapshot expected, SchemaSnapshot actual, DatabaseEngine engine)
    {
        var drifts = new List<SchemaDrift>();
        foreach (var (name, want, have) in Pair(expected.Tables, actual.Tables, t => t.Name))
        {
            if (have is null) drifts.Add(new(SchemaDifferenceKind.Missing, SchemaObjectType.Table, name, name, want, null));
            else if (want is null) drifts.Add(new(SchemaDifferenceKind.Extra, SchemaObjectType.Table, name, name, null, have));
            else CompareTable(want, have, engine, drifts);
        }
        foreach (var (name, want, have) in Pair(expected.Views, actual.Views, v => v.Name))
        {
            if (want is not null && have is not null && SameView(want, have)) continue;
            drifts.Add(new(KindOf(want, have), SchemaObjectType.View, name, name, want, have));
        }
        return drifts;
    }

    private static void CompareTable(TableShape want, TableShape have, DatabaseEngine engine, List<SchemaDrift> drifts)
    {
        var table = want.Name;
        foreach (var (name, expected, actual) in Pair(want.Columns, have.Columns, c => c.Name))
        {
            if (expected is not null && actual is not null && SameColumn(expected, actual, engine)) continue;
            drifts.Add(new(KindOf(expected, actual), SchemaObjectType.Column, table, name, expected, actual));
        }
        if (!want.PrimaryKey.SequenceEqual(have.PrimaryKey, StringComparer.Ordinal))
        {
            drifts.Add(new(KindOf(want.PrimaryKey.Count == 0 ? null : want.PrimaryKey, have.PrimaryKey.Count == 0 ? null : have.PrimaryKey),
                SchemaObjectType.PrimaryKey, table, "primary key", want.PrimaryKey.Count == 0 ? null : want.PrimaryKey, have.PrimaryKey.Count == 0 ? null : have.PrimaryKey));
        }
        foreach (var (name, expected, actual) in Pair(want.Indexes, have.Indexes, i => i.Name))
        {
            if (expected is not null && actual is not null && expected.Unique == actual.Unique && expected.Columns.SequenceEqual(actual.Columns, StringComparer.Ordinal)) continue;
            var type = (expected ?? actual)!.Constraint ? SchemaObjectType.UniqueConstraint : SchemaObjectType.Index;
            drifts.Add(new(KindOf(expected, actual), type, table, name, expected, actual));
        }
        Func<ForeignKeyShape, string> foreignKeyName = engine == DatabaseEngine.Sqlite ? f => ForeignKeyShape.NameFromColumns(f.Columns) : f => f.Name;
        foreach (var (name, expected, actual) in Pair(want.ForeignKeys, have.ForeignKeys, foreignKeyName))
        {
            if (expected is not null && actual is not null && SameForeignKey(expected, actual)) continue;
            drifts.Add(new(KindOf(expected, actual), SchemaObjectType.ForeignKey, table, name, expected, actual));
        }
    }

    private static bool SameColumn(ColumnShape expected, ColumnShape actual, DatabaseEngine engine) =>
        CatalogText.NormalizeType(engine, expected.Type) == CatalogText.NormalizeType(engine, actual.Type)
        && expected.Nullable == actual.Nullable
        && CatalogText.NormalizeDefault(engine, expected.Default) == CatalogText.NormalizeDefault(engine, actual.Default);

    private static bool SameForeignKey(ForeignKeyShape expected, ForeignKeyShape actual) =>
        expected.Columns.SequenceEqual(actual.Columns, StringComparer.Ordinal)
        && string.Equals(expected.ReferencedTable, actual.ReferencedTable, StringComparison.Ordinal)
        && expected.ReferencedColumns.SequenceEqual(actual.ReferencedColumns, StringComparer.Ordinal)
        && string.Equals(expected.OnDelete, actual.OnDelete, StringComparison.OrdinalIgnoreCase);

    private static bool SameView(ViewShape expected, ViewShape actual) =>
        Catalog.SchemaQualifiers.Collapse(expected.Definition) == Catalog.SchemaQualifiers.Collapse(actual.Definition);

    private static SchemaDifferenceKind KindOf(object? expected, object? actual) =>
        actual is null ? SchemaDifferenceKind.Missing : expected is null ? SchemaDifferenceKind.Extra : SchemaDifferenceKind.Changed;

    /// <summary>The union of both sides by name, in the expected side's order and then the extras.</summary>
    private static IEnumerable<(string Name, T? Expected, T? Actual)> Pair<T>(IEnumerable<T> expected, IEnumerable<T> actual, Func<T, string> name) where T : class
    {
        var actualByName = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var item in actual) actualByName.TryAdd(name(item), item);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in expected)
        {
            if (!seen.Add(name(item))) continue;
            yield return (name(item), item, actualByName.GetValueOrDefault(name(item)));
        }
        foreach (var (key, item) in actualByName)
        {
            if (!seen.Contains(key)) yield return (key, null, item);
        }
    }
}

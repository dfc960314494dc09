namespace TenantMigrations.Engine.Schema.Catalog;

/// <summary>
/// Collects catalog rows of many schemas (or databases) read in one go into one <see cref="SchemaSnapshot"/> each.
/// Rows about the tool's own tables are dropped. Objects are sorted by name so that snapshots compare in order;
/// columns keep the catalog's order, as rows must arrive in it.
/// </summary>
public sealed class SnapshotBuilder(IReadOnlySet<string> excludedTables)
{
    private readonly Dictionary<string, Dictionary<string, TableRows>> tables = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<ViewShape>> views = new(StringComparer.Ordinal);

    /// <summary>Adds a table; the other rows only attach to tables added first (a partition's index is not a table).</summary>
    public void AddTable(string owner, string table) => Table(owner, table, create: true);

    public void AddColumn(string owner, string table, ColumnShape column) => Table(owner, table, create: true)?.Columns.Add(column);

    public void SetPrimaryKey(string owner, string table, IReadOnlyList<string> columns)
    {
        if (Table(owner, table) is { } rows) rows.PrimaryKey = columns;
    }

    public void AddIndex(string owner, string table, IndexShape index) => Table(owner, table)?.Indexes.Add(index);

    public void AddForeignKey(string owner, string table, ForeignKeyShape foreignKey) => Table(owner, table)?.ForeignKeys.Add(foreignKey);

    public void AddView(string owner, string view, string definition)
    {
        if (!views.TryGetValue(owner, out var list)) views[owner] = list = [];
        list.Add(new ViewShape(view, definition));
    }

    /// <summary>The snapshot of one schema or database; empty when the catalog had nothing for it.</summary>
    public SchemaSnapshot Build(string owner)
    {
        var tableShapes = tables.TryGetValue(owner, out var byName)
            ? byName.Values.OrderBy(t => t.Name, StringComparer.Ordinal).Select(t => t.ToShape()).ToList()
            : [];
        var viewShapes = views.TryGetValue(owner, out var list) ? list.OrderBy(v => v.Name, StringComparer.Ordinal).ToList() : [];
        return new SchemaSnapshot(tableShapes, viewShapes);
    }

    private TableRows? Table(string owner, string table, bool create = false)
    {
        if (excludedTables.Contains(table)) return null;
        if (!tables.TryGetValue(owner, out var byName))
        {
            if (!create) return null;
            tables[owner] = byName = new(StringComparer.Ordinal);
        }
        if (!byName.TryGetValue(table, out var rows) && create) byName[table] = rows = new TableRows(table);
        return rows;
    }

    private sealed class TableRows(string name)
    {
        public string Name { get; } = name;

        public List<ColumnShape> Columns { get; } = [];

        public IReadOnlyList<string> PrimaryKey { get; set; } = [];

        public List<IndexShape> Indexes { get; } = [];

        public List<ForeignKeyShape> ForeignKeys { get; } = [];

        public TableShape ToShape() => new(
            Name,
            Columns,
            PrimaryKey,
            Indexes.OrderBy(i => i.Name, StringComparer.Ordinal).ToList(),
            ForeignKeys.OrderBy(f => f.Name, StringComparer.Ordinal).ToList());
    }
}

using TenantMigrations.Engine.Dialects;
using TenantMigrations.Engine.Migrations;

namespace TenantMigrations.Engine.Schema.Typed;

/// <summary>
/// The schema that typed operations build on one engine, spelled as that engine's catalog spells it: what a fully
/// typed folder predicts for a migrated tenant, and what the renderers consult (a table's key and columns). Raw
/// <c>sql</c> operations and plain .sql files are invisible to it.
/// </summary>
public sealed class TypedSchemaProjection(ISchemaRenderer renderer)
{
    private readonly Dictionary<string, TableShape> tables = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Whether a raw sql operation was applied: the projection may then miss what it did.</summary>
    public bool SawRawSql { get; private set; }

    public TableShape? Table(string name) => tables.GetValueOrDefault(name);

    public SchemaSnapshot Snapshot() => new(tables.Values.OrderBy(t => t.Name, StringComparer.Ordinal).ToList(), []);

    /// <summary>
    /// The schema a tenant has after every versioned migration of a fully typed folder (each one a .json file);
    /// throws naming the first migration that is plain SQL, whose effect cannot be predicted.
    /// </summary>
    public static SchemaSnapshot Project(MigrationSet set, IDatabaseDialect dialect) => Project(set, dialect, upToVersion: null);

    /// <summary>The schema after the versioned migrations up to and including <paramref name="upToVersion"/> (all of them when null).</summary>
    public static SchemaSnapshot Project(MigrationSet set, IDatabaseDialect dialect, MigrationVersion? upToVersion)
    {
        var projection = new TypedSchemaProjection(dialect.SchemaRenderer);
        foreach (var migration in set.Versioned.Where(m => upToVersion is null || m.Version!.CompareTo(upToVersion) <= 0))
        {
            var file = migration.FileFor(dialect.Engine);
            if (file is null) continue;
            if (file.Typed is null) throw new InvalidOperationException($"{file.FileName} is plain SQL: only a fully typed folder (every versioned migration a .json file) predicts a schema.");
            foreach (var operation in file.Typed.Operations) projection.Apply(operation);
        }
        return projection.Snapshot();
    }

    public void Apply(SchemaOperation operation)
    {
        switch (operation)
        {
            case CreateTable create:
                tables[create.Table] = new TableShape(
                    create.Table,
                    create.Columns.Select(Shape).ToList(),
                    create.Columns.Where(c => c.PrimaryKey).Select(c => c.Name).ToList(),
                    create.Columns.Where(c => c.Unique).Select(c => UniqueIndex(create.Table, c.Name)).ToList(),
                    create.Columns.Where(c => c.References is not null).Select(c => ForeignKey(create.Table, c)).ToList());
                break;
            case AddColumn add when Table(add.Table) is { } table:
                tables[table.Name] = table with
                {
                    Columns = [.. table.Columns, Shape(add.Column)],
                    Indexes = add.Column.Unique ? [.. table.Indexes, UniqueIndex(table.Name, add.Column.Name)] : table.Indexes,
                    ForeignKeys = add.Column.References is null ? table.ForeignKeys : [.. table.ForeignKeys, ForeignKey(table.Name, add.Column)],
                };
                break;
            case DropColumn drop when Table(drop.Table) is { } table:
                tables[table.Name] = table with
                {
                    Columns = table.Columns.Where(c => !Same(c.Name, drop.Column)).ToList(),
                    Indexes = table.Indexes.Where(i => !i.Columns.Any(c => Same(c, drop.Column))).ToList(),
                    ForeignKeys = table.ForeignKeys.Where(f => !f.Columns.Any(c => Same(c, drop.Column))).ToList(),
                };
                break;
            case RenameColumn rename when Table(rename.Table) is { } table:
                tables[table.Name] = table with
                {
                    Columns = table.Columns.Select(c => Same(c.Name, rename.From) ? c with { Name = rename.To } : c).ToList(),
                    PrimaryKey = Renamed(table.PrimaryKey, rename),
                    Indexes = table.Indexes.Select(i => i with { Columns = Renamed(i.Columns, rename) }).ToList(),
                    ForeignKeys = table.ForeignKeys.Select(f => f with { Columns = Renamed(f.Columns, rename) }).ToList(),
                };
                foreach (var other in tables.Values.ToList())
                {
                    tables[other.Name] = other with
                    {
                        ForeignKeys = other.ForeignKeys.Select(f => Same(f.ReferencedTable, rename.Table) ? f with { ReferencedColumns = Renamed(f.ReferencedColumns, rename) } : f).ToList(),
                    };
                }
                break;
            case CreateIndex index when Table(index.Table) is { } table:
                tables[table.Name] = table with { Indexes = [.. table.Indexes, new IndexShape(index.Index, index.Columns, index.Unique)] };
                break;
            case DropIndex drop when Table(drop.Table) is { } table:
                tables[table.Name] = table with { Indexes = table.Indexes.Where(i => !Same(i.Name, drop.Index)).ToList() };
                break;
            case DropTable drop:
                tables.Remove(drop.Table);
                break;
            case RawSql:
                SawRawSql = true;
                break;
        }
    }

    /// <summary>The name of the unique index a unique column gets on every engine.</summary>
    public static string UniqueIndexName(string table, string column) => $"ux_{table}_{column}";

    /// <summary>The name of the foreign key a referencing column gets on every engine.</summary>
    public static string ForeignKeyName(string table, string column) => $"fk_{table}_{column}";

    private ColumnShape Shape(ColumnDefinition column) => new(column.Name, renderer.CatalogType(column), column.Nullable, renderer.DefaultText(column));

    private static IndexShape UniqueIndex(string table, string column) => new(UniqueIndexName(table, column), [column], Unique: true);

    private static ForeignKeyShape ForeignKey(string table, ColumnDefinition column) =>
        new(ForeignKeyName(table, column.Name), [column.Name], column.References!.Table, [column.References.Column], column.References.OnDelete);

    private static List<string> Renamed(IReadOnlyList<string> columns, RenameColumn rename) => columns.Select(c => Same(c, rename.From) ? rename.To : c).ToList();

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}

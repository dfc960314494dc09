using System.Text;
using TenantMigrations.Engine.Schema.Typed;

namespace TenantMigrations.Engine.Dialects;

/// <summary>
/// The DDL the three engines share; each engine's renderer overrides what it spells its own way. Every name goes
/// through the dialect's quoting; values of defaults go through its literal quoting.
/// </summary>
public abstract class SchemaRenderer(IDatabaseDialect dialect) : ISchemaRenderer
{
    public DatabaseEngine Engine => dialect.Engine;

    protected string Q(string identifier) => dialect.QuoteIdentifier(identifier);

    protected string Q(IEnumerable<string> identifiers) => string.Join(", ", identifiers.Select(Q));

    /// <summary>The type as written in DDL.</summary>
    protected abstract string TypeName(ColumnDefinition column);

    public virtual string CatalogType(ColumnDefinition column) => TypeName(column);

    protected virtual string IdentityClause => "";

    protected abstract string BooleanLiteral(bool value);

    protected virtual string TextLiteral(string value) => dialect.QuoteLiteral(value);

    public string? DefaultText(ColumnDefinition column) => column.Default switch
    {
        null => null,
        { Kind: DefaultKind.Text } d => TextLiteral(d.Value),
        { Kind: DefaultKind.Boolean } d => BooleanLiteral(d.Value == "true"),
        { Kind: DefaultKind.Number } d => d.Value,
        var d => d.Value,
    };

    /// <summary>A column as written in CREATE TABLE or ADD COLUMN, without its key, uniqueness or reference.</summary>
    protected string ColumnSql(ColumnDefinition column)
    {
        var sql = new StringBuilder($"{Q(column.Name)} {TypeName(column)}");
        if (column.Identity) sql.Append(IdentityClause);
        if (!column.Nullable) sql.Append(" NOT NULL");
        if (DefaultText(column) is { } defaultText) sql.Append(" DEFAULT ").Append(defaultText);
        return sql.ToString();
    }

    protected string ForeignKeySql(string table, ColumnDefinition column) =>
        $"CONSTRAINT {Q(Named(TypedSchemaProjection.ForeignKeyName(table, column.Name)))} FOREIGN KEY ({Q(column.Name)}) REFERENCES {Q(column.References!.Table)} ({Q(column.References.Column)}) ON DELETE {column.References.OnDelete.ToUpperInvariant()}";

    protected string UniqueIndexSql(string table, string column) =>
        $"CREATE UNIQUE INDEX {Q(Named(TypedSchemaProjection.UniqueIndexName(table, column)))} ON {Q(table)} ({Q(column)})";

    /// <summary>A generated name must fit every engine (63 characters): longer ones are an error, never cut in silence.</summary>
    protected static string Named(string name) =>
        Identifiers.IsSafe(name) ? name : throw new SchemaRenderException($"the generated name '{name}' is longer than 63 characters; use shorter table or column names.");

    public IReadOnlyList<string> Render(SchemaOperation operation, TypedSchemaProjection model, bool inTransaction) => operation switch
    {
        CreateTable create => RenderCreateTable(create),
        AddColumn { Backfill: { } backfill } add => RenderBackfilledAdd(add, backfill, model),
        AddColumn add => RenderAddColumn(add),
        DropColumn drop => RenderDropColumn(drop, model),
        RenameColumn rename => RenderRenameColumn(rename),
        CreateIndex index => RenderCreateIndex(index, inTransaction),
        DropIndex drop => RenderDropIndex(drop),
        DropTable drop => [$"DROP TABLE {Q(drop.Table)}"],
        RawSql raw => RenderRaw(raw),
        _ => throw new SchemaRenderException($"{operation.Name} is not supported on {Engine}."),
    };

    protected virtual IReadOnlyList<string> RenderCreateTable(CreateTable create)
    {
        var parts = create.Columns.Select(ColumnSql).ToList();
        var key = create.Columns.Where(c => c.PrimaryKey).Select(c => c.Name).ToList();
        if (key.Count > 0) parts.Add($"PRIMARY KEY ({Q(key)})");
        parts.AddRange(create.Columns.Where(c => c.References is not null).Select(c => ForeignKeySql(create.Table, c)));
        var statements = new List<string> { $"CREATE TABLE {Q(create.Table)} (\n    {string.Join(",\n    ", parts)}\n)" };
        statements.AddRange(create.Columns.Where(c => c.Unique && !c.PrimaryKey).Select(c => UniqueIndexSql(create.Table, c.Name)));
        return statements;
    }

    protected virtual IReadOnlyList<string> RenderAddColumn(AddColumn add)
    {
        var statements = new List<string> { $"ALTER TABLE {Q(add.Table)} ADD COLUMN {ColumnSql(add.Column)}" };
        if (add.Column.References is not null) statements.Add($"ALTER TABLE {Q(add.Table)} ADD {ForeignKeySql(add.Table, add.Column)}");
        if (add.Column.Unique) statements.Add(UniqueIndexSql(add.Table, add.Column.Name));
        return statements;
    }

    /// <summary>Add nullable, backfill in batches keyed on the table's key, then NOT NULL (and the default) as the engine sets them.</summary>
    private List<string> RenderBackfilledAdd(AddColumn add, Backfill backfill, TypedSchemaProjection model)
    {
        var key = backfill.Key ?? model.Table(add.Table)?.PrimaryKey switch
        {
            [var single] => single,
            _ => throw new SchemaRenderException($"the backfill of {add.Table}.{add.Column.Name} needs a key to batch on: set 'backfill.key' (a unique, non-null column), since table '{add.Table}' has no single-column primary key that a typed migration of this folder created."),
        };
        var nullable = add.Column with { Nullable = true, Default = null, Unique = false };
        var statements = RenderAddColumn(new AddColumn(add.Table, nullable)).ToList();
        var value = backfill.Expression ?? $"({backfill.PerRowQuery!.Replace("@key", $"{Q(add.Table)}.{Q(key)}", StringComparison.Ordinal)})";
        statements.Add(RepeatedStatement.Mark(BackfillBatch(add.Table, add.Column.Name, key, value, backfill.BatchSize)));
        if (!add.Column.Nullable || add.Column.Default is not null) statements.AddRange(RenderSetNotNull(add, model));
        if (add.Column.Unique) statements.Add(UniqueIndexSql(add.Table, add.Column.Name));
        return statements;
    }

    /// <summary>
    /// One batch: the next rows (in key order) whose column is still NULL and whose value is not NULL, so the batches
    /// end when every row that can be filled is; a row whose value is NULL fails the NOT NULL step, naming the column.
    /// </summary>
    protected virtual string BackfillBatch(string table, string column, string key, string value, int batchSize) =>
        $"UPDATE {Q(table)} SET {Q(column)} = {value}\nWHERE {Q(key)} IN (SELECT {Q(key)} FROM {Q(table)} WHERE {Q(column)} IS NULL AND ({value}) IS NOT NULL ORDER BY {Q(key)} LIMIT {batchSize})";

    /// <summary>The column, now filled, becomes NOT NULL and gets its default.</summary>
    protected abstract IReadOnlyList<string> RenderSetNotNull(AddColumn add, TypedSchemaProjection model);

    protected virtual IReadOnlyList<string> RenderDropColumn(DropColumn drop, TypedSchemaProjection model) =>
        [$"ALTER TABLE {Q(drop.Table)} DROP COLUMN {Q(drop.Column)}"];

    protected virtual IReadOnlyList<string> RenderRenameColumn(RenameColumn rename) =>
        [$"ALTER TABLE {Q(rename.Table)} RENAME COLUMN {Q(rename.From)} TO {Q(rename.To)}"];

    protected virtual IReadOnlyList<string> RenderDropIndex(DropIndex drop) => [$"DROP INDEX {Q(drop.Index)}"];

    protected virtual IReadOnlyList<string> RenderCreateIndex(CreateIndex index, bool inTransaction) =>
        [$"CREATE {(index.Unique ? "UNIQUE " : "")}INDEX {Q(index.Index)} ON {Q(index.Table)} ({Q(index.Columns)})"];

    private IReadOnlyList<string> RenderRaw(RawSql raw)
    {
        var text = raw.For(Engine);
        if (string.IsNullOrWhiteSpace(text)) throw new SchemaRenderException($"it has no SQL for {Engine}: add '{Engine.ToString().ToLowerInvariant()}' or 'default'.");
        var statements = dialect.SplitStatements(text);
        return statements.Count > 0 ? statements : throw new SchemaRenderException($"its SQL for {Engine} holds only comments.");
    }
}

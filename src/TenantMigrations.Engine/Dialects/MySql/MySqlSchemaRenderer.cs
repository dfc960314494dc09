using TenantMigrations.Engine.Schema.Typed;

namespace TenantMigrations.Engine.Dialects.MySql;

/// <summary>
/// Typed operations in MySQL/MariaDB's SQL. <see cref="CatalogType"/> spells types as MariaDB's COLUMN_TYPE does
/// ("int(11)", "bigint(20)", json as "longtext"); MySQL 8 drops the widths, which <see cref="CatalogText.NormalizeType"/> evens out.
/// </summary>
public sealed class MySqlSchemaRenderer(IDatabaseDialect dialect) : SchemaRenderer(dialect)
{
    protected override string TypeName(ColumnDefinition column) => column.Type.Kind switch
    {
        ColumnKind.String => $"varchar({column.Type.Length})",
        ColumnKind.Int => "int",
        ColumnKind.BigInt => "bigint",
        ColumnKind.Float => "double",
        ColumnKind.Boolean => "tinyint(1)",
        ColumnKind.DateTime => "datetime(6)",
        ColumnKind.Text => "longtext",
        _ => "json",
    };

    public override string CatalogType(ColumnDefinition column) => column.Type.Kind switch
    {
        ColumnKind.Int => "int(11)",
        ColumnKind.BigInt => "bigint(20)",
        ColumnKind.Json => "longtext",
        _ => TypeName(column),
    };

    protected override string IdentityClause => " AUTO_INCREMENT";

    protected override string BooleanLiteral(bool value) => value ? "1" : "0";

    /// <summary>A plain literal where backslash escaping cannot change it, else the dialect's hex literal.</summary>
    protected override string TextLiteral(string value) =>
        value.All(c => c is >= ' ' and <= '~' && c is not ('\\' or '\'' or '"')) ? $"'{value}'" : base.TextLiteral(value);

    protected override string BackfillBatch(string table, string column, string key, string value, int batchSize) =>
        $"UPDATE {Q(table)} SET {Q(column)} = {value}\nWHERE {Q(column)} IS NULL AND ({value}) IS NOT NULL ORDER BY {Q(key)} LIMIT {batchSize}";

    protected override IReadOnlyList<string> RenderSetNotNull(AddColumn add, TypedSchemaProjection model) =>
        [$"ALTER TABLE {Q(add.Table)} MODIFY COLUMN {ColumnSql(add.Column)}"];

    protected override IReadOnlyList<string> RenderCreateIndex(CreateIndex index, bool inTransaction)
    {
        var sql = base.RenderCreateIndex(index, inTransaction)[0];
        return [index.Concurrent ? sql + " ALGORITHM=INPLACE LOCK=NONE" : sql];
    }

    protected override IReadOnlyList<string> RenderDropIndex(DropIndex drop) => [$"DROP INDEX {Q(drop.Index)} ON {Q(drop.Table)}"];
}

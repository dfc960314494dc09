using TenantMigrations.Engine.Schema;
using TenantMigrations.Engine.Schema.Drift;

namespace TenantMigrations.Engine.Dialects.MySql;

/// <summary>MySQL's fixes: a column changes with MODIFY COLUMN (the whole definition), an index is dropped from its table.</summary>
internal sealed class MySqlDriftFixes(IDatabaseDialect dialect) : DriftFixes(dialect)
{
    protected override SuggestedFix ChangeColumn(string table, ColumnShape expected, ColumnShape actual) =>
        new([$"ALTER TABLE {Q(table)} MODIFY COLUMN {ColumnDefinition(expected)}"]);

    protected override SuggestedFix DropIndex(string table, IndexShape index) => new([$"DROP INDEX {Q(index.Name)} ON {Q(table)}"]);

    protected override SuggestedFix DropForeignKey(string table, ForeignKeyShape key) => new([$"ALTER TABLE {Q(table)} DROP FOREIGN KEY {Q(key.Name)}"]);
}

using TenantMigrations.Engine.Schema;
using TenantMigrations.Engine.Schema.Drift;

namespace TenantMigrations.Engine.Dialects.Sqlite;

/// <summary>SQLite's fixes: columns, unique constraints and foreign keys change only by rebuilding the table.</summary>
internal sealed class SqliteDriftFixes(IDatabaseDialect dialect) : DriftFixes(dialect)
{
    protected override SuggestedFix ChangeColumn(string table, ColumnShape expected, ColumnShape actual) => SuggestedFix.Manual(RebuildNote);

    protected override SuggestedFix CreateIndex(string table, IndexShape index) => index.Constraint ? SuggestedFix.Manual(RebuildNote) : base.CreateIndex(table, index);

    protected override SuggestedFix DropIndex(string table, IndexShape index) => index.Constraint ? SuggestedFix.Manual(RebuildNote) : base.DropIndex(table, index);

    protected override SuggestedFix AddForeignKey(string table, ForeignKeyShape key) => SuggestedFix.Manual(RebuildNote);

    protected override SuggestedFix DropForeignKey(string table, ForeignKeyShape key) => SuggestedFix.Manual(RebuildNote);
}

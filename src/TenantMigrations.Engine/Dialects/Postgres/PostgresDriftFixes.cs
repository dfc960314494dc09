using TenantMigrations.Engine.Schema;
using TenantMigrations.Engine.Schema.Drift;

namespace TenantMigrations.Engine.Dialects.Postgres;

/// <summary>PostgreSQL's fixes: a unique constraint is added and dropped as a constraint, not as an index.</summary>
internal sealed class PostgresDriftFixes(IDatabaseDialect dialect) : DriftFixes(dialect)
{
    protected override SuggestedFix CreateIndex(string table, IndexShape index) =>
        index.Constraint ? new([$"ALTER TABLE {Q(table)} ADD CONSTRAINT {Q(index.Name)} UNIQUE ({Columns(index.Columns)})"]) : base.CreateIndex(table, index);

    protected override SuggestedFix DropIndex(string table, IndexShape index) =>
        index.Constraint ? new([$"ALTER TABLE {Q(table)} DROP CONSTRAINT {Q(index.Name)}"]) : base.DropIndex(table, index);
}

using TenantMigrations.Engine.Rollouts.SharedRuns;

namespace TenantMigrations.Engine.Schema.Catalog;

/// <summary>The tables the tool itself keeps beside a tenant's own objects: never part of a tenant's schema snapshot.</summary>
public static class ToolTables
{
    public static IReadOnlySet<string> For(string journalTable) =>
        new HashSet<string>(StringComparer.OrdinalIgnoreCase) { journalTable, SharedRunSql.RunsTable, SharedRunSql.TenantsTable };
}

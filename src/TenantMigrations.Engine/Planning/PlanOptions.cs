using TenantMigrations.Engine.Migrations;

namespace TenantMigrations.Engine.Planning;

public sealed record PlanOptions
{
    /// <summary>Stop at this version (inclusive); null for the latest.</summary>
    public MigrationVersion? TargetVersion { get; init; }

    /// <summary>Run pending versions lower than the highest applied one instead of blocking the tenant.</summary>
    public bool AllowOutOfOrder { get; init; }
}

using TenantMigrations.Engine.Dialects;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Journal;
using TenantMigrations.Engine.Migrations;

namespace TenantMigrations.Engine.Planning;

/// <summary>
/// Plans a baseline: one journal row at a version that stands for every version up to it, with no SQL. Only a tenant
/// without applied versions takes one; anything else would rewrite history. Pure: no I/O.
/// </summary>
public static class BaselinePlanner
{
    public const string Description = "<< baseline >>";

    public static TenantPlan Plan(MigrationSet set, Tenant tenant, JournalSnapshot journal, MigrationVersion version, bool hasTables, IDatabaseDialect dialect)
    {
        var forward = Planner.Plan(set, tenant, journal, new PlanOptions(), dialect);
        var blocker = forward.Blocker is { ErrorId: not ErrorIds.OutOfOrder } own ? own
            : !hasTables && forward.CurrentVersion is null && forward.Failed.Count == 0
                ? new MigrationError
                {
                    ErrorId = ErrorIds.NothingToBaseline,
                    Version = version.Text,
                    Message = $"tenant '{tenant.Name}' has no tables: a baseline stands for a schema that already exists. Migrate it instead.",
                }
            : forward.CurrentVersion is not null || forward.Failed.Count > 0
                ? new MigrationError
                {
                    ErrorId = ErrorIds.AlreadyMigrated,
                    Version = forward.CurrentVersion ?? forward.Failed[0],
                    Message = $"tenant '{tenant.Name}' already has {(forward.CurrentVersion is null ? "failed" : "applied")} versions (current: {forward.CurrentVersion ?? "none"}): a baseline is only for a tenant whose journal has no history. Use migrate or undo instead.",
                }
                : null;
        return Copy(forward, blocker is null ? [Migration(version)] : [], blocker);
    }

    /// <summary>
    /// The plan of a migrate with baseline-on-migrate: a tenant that has tables but no journal rows is baselined at
    /// <paramref name="version"/> first and then migrated above it; any other tenant gets null (plan it as usual).
    /// </summary>
    public static TenantPlan? OnMigrate(MigrationSet set, Tenant tenant, JournalSnapshot journal, MigrationVersion version, bool hasTables, PlanOptions options, IDatabaseDialect dialect)
    {
        if (!hasTables || journal.Entries.Count > 0) return null;
        var baseline = Migration(version);
        var entry = baseline.StartEntry(1, "", null) with { State = JournalState.Succeeded, FinishedAt = DateTime.UtcNow };
        var above = Planner.Plan(set, tenant, journal with { Entries = [entry] }, options, dialect);
        return Copy(above, above.Blocker is null ? [baseline, .. above.Pending] : [], above.Blocker, stateWhenReady: TenantState.Pending, currentVersion: null);
    }

    /// <summary>The baseline as a migration without statements, so that it is journaled like any other.</summary>
    public static PlannedMigration Migration(MigrationVersion version)
    {
        var script = new MigrationScript
        {
            Path = "",
            FileName = $"baseline at {version}",
            Kind = MigrationKind.Baseline,
            Version = version,
            Description = Description,
            Content = "",
            Checksum = "",
            Directives = new ScriptDirectives(Transaction: true),
            Placeholders = new HashSet<string>(),
        };
        var migration = new Migration { Kind = MigrationKind.Baseline, Version = version, Description = Description, Files = [script] };
        return new PlannedMigration(migration, script, "", [], OutOfOrder: false, Retry: false);
    }

    private static TenantPlan Copy(TenantPlan plan, IReadOnlyList<PlannedMigration> pending, MigrationError? blocker, TenantState? stateWhenReady = null, string? currentVersion = "") => new()
    {
        Tenant = plan.Tenant,
        State = blocker is null && stateWhenReady is { } ready ? ready : plan.State,
        CurrentVersion = currentVersion == "" ? plan.CurrentVersion : currentVersion,
        Pending = pending,
        Failed = plan.Failed,
        ChecksumMismatches = plan.ChecksumMismatches,
        MissingFiles = plan.MissingFiles,
        OutOfOrder = plan.OutOfOrder,
        Incomplete = plan.Incomplete,
        LastAppliedAt = plan.LastAppliedAt,
        Blocker = blocker,
        Journal = plan.Journal,
    };
}

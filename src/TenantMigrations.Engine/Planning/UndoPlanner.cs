using TenantMigrations.Engine.Dialects;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Journal;
using TenantMigrations.Engine.Migrations;

namespace TenantMigrations.Engine.Planning;

/// <summary>
/// Plans an undo: the U scripts of the applied versions the request covers, highest first. A covered version without
/// a U script blocks the whole tenant, so nothing is undone half way. Pure: no I/O.
/// </summary>
public static class UndoPlanner
{
    public static TenantPlan Plan(MigrationSet set, Tenant tenant, JournalSnapshot journal, UndoRequest request, IDatabaseDialect dialect)
    {
        var forward = Planner.Plan(set, tenant, journal, new PlanOptions { AllowOutOfOrder = true }, dialect);
        if (forward.Blocker is { } blocker && blocker.ErrorId != ErrorIds.TargetBelowCurrent) return WithPending(forward, [], blocker);

        var latestByVersion = journal.Entries
            .Where(e => e.Version is not null && e.Kind is MigrationKind.Versioned or MigrationKind.Undo or MigrationKind.Baseline && !Planner.IsFailedUndo(e))
            .GroupBy(e => MigrationVersion.Parse(e.Version!))
            .ToDictionary(g => g.Key, g => g.MaxBy(e => e.InstalledRank)!);
        var baseline = latestByVersion.Values
            .Where(e => e.Kind == MigrationKind.Baseline && e.State == JournalState.Succeeded)
            .Select(e => MigrationVersion.Parse(e.Version!)).Max();
        if (baseline is not null && request.Target is { } target && target < baseline)
        {
            return WithPending(forward, [], new MigrationError
            {
                ErrorId = ErrorIds.MissingUndo,
                Version = baseline.Text,
                Message = $"tenant '{tenant.Name}' was baselined at {baseline}: what lies below a baseline was never applied by this tool and cannot be undone. Pick a target of {baseline} or above.",
            });
        }
        var covered = latestByVersion
            .Where(kv => kv.Value.Kind == MigrationKind.Versioned && kv.Value.State == JournalState.Succeeded && request.Covers(tenant.Name, kv.Key))
            .OrderByDescending(kv => kv.Key)
            .ToList();

        var values = Placeholders.ValuesFor(tenant, set.Settings);
        var invalid = new List<string>();
        var missing = new List<string>();
        var pending = new List<PlannedMigration>();
        foreach (var (version, entry) in covered)
        {
            var undo = set.Undo.FirstOrDefault(m => m.Version!.Equals(version));
            if (undo?.FileFor(tenant.Engine) is null)
            {
                missing.Add($"U{version}__{Slug(entry.Description)}.sql");
                continue;
            }
            if (Planner.Prepare(set, undo, tenant, values, dialect, invalid) is { } planned) pending.Add(planned);
        }
        if (missing.Count > 0)
        {
            return WithPending(forward, [], new MigrationError
            {
                ErrorId = ErrorIds.MissingUndo,
                Version = covered.First(kv => missing[0].StartsWith($"U{kv.Key}__", StringComparison.Ordinal)).Key.Text,
                Message = $"tenant '{tenant.Name}': no undo script for {string.Join(", ", missing)} in {set.Folder}; nothing was undone. Add the missing U file(s) or pick a higher target.",
            });
        }
        if (invalid.Count > 0)
        {
            return WithPending(forward, [], new MigrationError { ErrorId = ErrorIds.InvalidMigration, Message = string.Join(" ", invalid) });
        }
        return WithPending(forward, pending, null);
    }

    private static string Slug(string description) => description.Replace(' ', '_');

    private static TenantPlan WithPending(TenantPlan forward, IReadOnlyList<PlannedMigration> pending, MigrationError? blocker) => new()
    {
        Tenant = forward.Tenant,
        State = forward.State,
        CurrentVersion = forward.CurrentVersion,
        Pending = pending,
        Failed = forward.Failed,
        ChecksumMismatches = forward.ChecksumMismatches,
        MissingFiles = forward.MissingFiles,
        OutOfOrder = forward.OutOfOrder,
        Incomplete = forward.Incomplete,
        LastAppliedAt = forward.LastAppliedAt,
        Blocker = blocker,
        Journal = forward.Journal,
    };
}

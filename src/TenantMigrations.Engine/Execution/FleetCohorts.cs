namespace TenantMigrations.Engine.Execution;

/// <summary>
/// A fleet's status folded into cohorts by current version, highest version first and the tenants with no version
/// last, so a rollout reads as "how many are where".
/// </summary>
public static class FleetCohorts
{
    public static IReadOnlyList<TenantVersionCohort> Of(IReadOnlyList<TenantMigrationStatus> statuses) =>
        statuses
            .GroupBy(s => s.CurrentVersion, StringComparer.Ordinal)
            .OrderBy(g => g.Key is null ? 1 : 0)
            .ThenByDescending(g => g.Key is null ? null : Migrations.MigrationVersion.TryParse(g.Key, out var version) ? version : null)
            .ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => Cohort(g.Key, g.ToList()))
            .ToList();

    /// <summary>"12 UpToDate, 1 Locked": the states with tenants, in the order of <see cref="TenantState"/>.</summary>
    public static string StateCounts(IEnumerable<TenantState> states) =>
        string.Join(", ", states.GroupBy(s => s).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key}"));

    private static TenantVersionCohort Cohort(string? version, List<TenantMigrationStatus> members)
    {
        int Count(TenantState state) => members.Count(s => s.State == state);
        return new TenantVersionCohort
        {
            Version = version,
            Count = members.Count,
            UpToDate = Count(TenantState.UpToDate),
            Pending = Count(TenantState.Pending),
            Failed = Count(TenantState.Failed),
            Drifted = Count(TenantState.Drifted),
            Incomplete = Count(TenantState.Incomplete),
            Locked = Count(TenantState.Locked),
            Unreachable = Count(TenantState.Unreachable),
            Invalid = Count(TenantState.Invalid),
            Tenants = members.Select(s => s.TenantName).ToArray(),
            States = StateCounts(members.Select(s => s.State)),
        };
    }
}

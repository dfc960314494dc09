using TenantMigrations.Engine.Migrations;

namespace TenantMigrations.Engine.Execution;

/// <summary>
/// What an undo takes back: every applied version above <see cref="Target"/>, or, for an undo of a run, exactly the
/// versions <see cref="VersionsByTenant"/> lists for each tenant (a tenant it does not list is left alone).
/// </summary>
public sealed record UndoRequest
{
    public MigrationVersion? Target { get; init; }

    public IReadOnlyDictionary<string, IReadOnlyList<string>>? VersionsByTenant { get; init; }

    public static UndoRequest ToTarget(MigrationVersion target) => new() { Target = target };

    public static UndoRequest OfRun(IReadOnlyDictionary<string, IReadOnlyList<string>> versionsByTenant) =>
        new() { VersionsByTenant = new Dictionary<string, IReadOnlyList<string>>(versionsByTenant, StringComparer.OrdinalIgnoreCase) };

    /// <summary>Exactly what a recorded run applied, tenant by tenant (the last outcome of a resumed tenant counts).</summary>
    public static UndoRequest OfRun(TenantMigrationRun run) => OfRun(run.Tenants
        .Where(t => t.Applied.Length > 0)
        .GroupBy(t => t.TenantName, StringComparer.OrdinalIgnoreCase)
        .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.SelectMany(t => t.Applied).Distinct().ToList(), StringComparer.OrdinalIgnoreCase));

    /// <summary>Whether an applied version is one this request takes back on the tenant.</summary>
    public bool Covers(string tenantName, MigrationVersion version)
    {
        if (VersionsByTenant is null) return Target is null || version > Target;
        return VersionsByTenant.TryGetValue(tenantName, out var versions) && versions.Any(v => MigrationVersion.TryParse(v, out var listed) && listed.Equals(version));
    }
}

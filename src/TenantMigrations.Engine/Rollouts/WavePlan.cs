namespace TenantMigrations.Engine.Rollouts;

/// <summary>The tenants of each wave, in wave order; each tenant is in at most one wave.</summary>
public sealed record PlannedWave(WaveDefinition Wave, IReadOnlyList<Tenant> Tenants);

public static class WavePlan
{
    /// <summary>
    /// Assigns the tenants to the waves in order. A percentage takes ceil(p% of the tenants left), lowest stable hash
    /// first. Tenants no wave selects are returned as <paramref name="unassigned"/>.
    /// </summary>
    public static IReadOnlyList<PlannedWave> Assign(IReadOnlyList<Tenant> tenants, IReadOnlyList<WaveDefinition> waves, out IReadOnlyList<Tenant> unassigned)
    {
        var left = tenants.ToList();
        var planned = new List<PlannedWave>();
        foreach (var wave in waves)
        {
            List<Tenant> picked;
            if (wave.Percent is { } percent)
            {
                var count = (int)Math.Ceiling(left.Count * percent / 100 - 1e-9);
                picked = left.OrderBy(t => StableHash.Of(t.Name)).ThenBy(t => t.Name, StringComparer.OrdinalIgnoreCase).Take(count).ToList();
            }
            else if (wave.TakesRest)
            {
                picked = [.. left];
            }
            else
            {
                var filter = new TenantFilter(wave.Names, wave.Tags);
                picked = left.Where(filter.Matches).ToList();
            }
            var chosen = picked.ToHashSet();
            left = left.Where(t => !chosen.Contains(t)).ToList();
            // Keep the input order inside a wave: people read results in the order they listed their tenants.
            planned.Add(new PlannedWave(wave, tenants.Where(chosen.Contains).ToList()));
        }
        unassigned = left;
        return planned;
    }
}

namespace TenantMigrations.Engine.Rollouts;

/// <summary>How a migrate rolls out over the fleet: which tenants, in which waves, and when it stops starting tenants.</summary>
public sealed record RolloutOptions
{
    /// <summary>The waves; null uses the settings file's "waves" (none: a flat run).</summary>
    public IReadOnlyList<WaveDefinition>? Waves { get; init; }

    /// <summary>Runs this wave only (--wave NAME).</summary>
    public string? OnlyWave { get; init; }

    /// <summary>Pause between two waves (not in a dry run).</summary>
    public TimeSpan WaveDelay { get; init; }

    /// <summary>Failed tenants a flat run (or a wave after the first) tolerates before no new tenant starts.</summary>
    public int? MaxFailures { get; init; }

    /// <summary>Failure rate in percent tolerated once <see cref="CircuitBreaker.MinimumFinished"/> tenants finished.</summary>
    public double? MaxFailureRate { get; init; }

    /// <summary>Once spent, no new tenant starts.</summary>
    public TimeSpan? MaxDuration { get; init; }

    public TenantPartition? Partition { get; init; }

    /// <summary>Names (wildcards) or tags of tenants left out of the run.</summary>
    public IReadOnlyList<string> Exclude { get; init; } = [];

    /// <summary>Most tenants that run at once on one database server; null: only the global throttle.</summary>
    public int? ThrottlePerServer { get; init; }

    /// <summary>A tenant locked by another runner is reported skipped, not failed.</summary>
    public bool SkipLocked { get; init; }

    /// <summary>
    /// The tenants to start, by name; null starts every selected tenant. Waves are still assigned over all the selected
    /// tenants, so a resumed run, which leaves out what it already did, keeps every tenant in the wave it had the first
    /// time, and a wave already passed is not gated again.
    /// </summary>
    public IReadOnlySet<string>? RunOnly { get; init; }

    /// <summary>The names of <paramref name="tenants"/>, as <see cref="RunOnly"/> takes them.</summary>
    public static IReadOnlySet<string> NamesOf(IEnumerable<Tenant> tenants) => tenants.Select(t => t.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);

    public void Validate()
    {
        if (MaxFailures is < 0) throw new ArgumentOutOfRangeException(nameof(MaxFailures), MaxFailures, "MaxFailures cannot be negative.");
        if (MaxFailureRate is < 0 or > 100) throw new ArgumentOutOfRangeException(nameof(MaxFailureRate), MaxFailureRate, "MaxFailureRate is a percentage from 0 to 100.");
        if (MaxDuration is { } duration && duration <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(MaxDuration), duration, "MaxDuration must be positive.");
        if (WaveDelay < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(WaveDelay), WaveDelay, "WaveDelay cannot be negative.");
        if (ThrottlePerServer is < 1) throw new ArgumentOutOfRangeException(nameof(ThrottlePerServer), ThrottlePerServer, "ThrottlePerServer must be at least 1.");
    }

    /// <summary>The waves of the run (these options', else the settings file's); throws ArgumentException when <see cref="OnlyWave"/> names none of them.</summary>
    public IReadOnlyList<WaveDefinition> WavesFor(Migrations.MigrationSet set)
    {
        var waves = Waves ?? set.Settings.Waves;
        if (OnlyWave is { } only && !waves.Any(w => w.Name.Equals(only, StringComparison.OrdinalIgnoreCase)))
        {
            throw new ArgumentException(waves.Count == 0
                ? $"wave '{only}': no waves are defined (give the waves, or \"waves\" in {Path.Combine(set.Folder, Migrations.MigrationSettings.FileName)})."
                : $"wave '{only}' is not one of the waves: {string.Join(", ", waves.Select(w => w.Name))}.");
        }
        return waves;
    }

    /// <summary>The tenants of this runner: the exclusions removed, then this partition's share kept.</summary>
    public IReadOnlyList<Tenant> Select(IReadOnlyList<Tenant> tenants)
    {
        var excluded = TenantFilter.NameOrTag(Exclude);
        return tenants.Where(t => excluded.IsEmpty || !excluded.Matches(t)).Where(t => Partition?.Contains(t) ?? true).ToList();
    }
}

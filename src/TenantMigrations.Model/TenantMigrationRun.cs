namespace TenantMigrations;

/// <summary>
/// One run of Invoke-TenantMigration or `tenantmigrations migrate`, as its run record tells it: who is done, who
/// failed, who is left. Get-TenantMigrationRun returns it. Each tenant's journal stays the truth; this is the view for
/// the people watching the run and what -Resume skips.
/// </summary>
public sealed class TenantMigrationRun
{
    public string RunId { get; set; } = "";

    public DateTimeOffset StartedAt { get; set; }

    /// <summary>When the last part of the run closed; null while it runs, or when it was killed before its summary.</summary>
    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>The run closed and every tenant has an outcome (succeeded or not).</summary>
    public bool Complete { get; set; }

    /// <summary>How many times the run was resumed.</summary>
    public int Resumes { get; set; }

    public string ToolVersion { get; set; } = "";

    public string MigrationsFolder { get; set; } = "";

    /// <summary>The options as given when the run started, without connection strings or secrets.</summary>
    public IReadOnlyDictionary<string, string> Options { get; set; } = new Dictionary<string, string>();

    public int TenantCount { get; set; }

    /// <summary>Tenants whose last outcome in this run succeeded (migrated, or already up to date).</summary>
    public int Done { get; set; }

    /// <summary>Tenants whose last outcome did not succeed: failed, blocked, locked or unreachable.</summary>
    public int Failed { get; set; }

    /// <summary>Tenants of the run without an outcome yet: not started, or in flight when the process died.</summary>
    public int Left => TenantsLeft.Length;

    public int MigrationsApplied { get; set; }

    /// <summary>The time spent running, summed over the run and its resumes.</summary>
    public TimeSpan Duration { get; set; }

    /// <summary>Every tenant's last outcome, in the order they finished.</summary>
    public TenantRunOutcome[] Tenants { get; set; } = [];

    public TenantRunOutcome[] Failures => Tenants.Where(t => !t.Succeeded).ToArray();

    public string[] TenantsLeft { get; set; } = [];

    /// <summary>Progress per wave of a rollout, in the order the waves ran; empty for a flat run.</summary>
    public TenantRunWave[] Waves => Tenants
        .Where(t => t.Wave is not null)
        .GroupBy(t => t.Wave!, StringComparer.OrdinalIgnoreCase)
        .Select(g => new TenantRunWave { Name = g.Key, Done = g.Count(), Succeeded = g.Count(t => t.Succeeded), Failed = g.Count(t => !t.Succeeded) })
        .ToArray();

    /// <summary>The run record file.</summary>
    public string Path { get; set; } = "";

    public override string ToString() => $"{RunId}: {Done}/{TenantCount} done, {Failed} failed{(Complete ? "" : ", incomplete")}";
}

/// <summary>How one tenant ended in a run.</summary>
public enum TenantRunResult
{
    Succeeded,
    Failed,
    Blocked,
    Locked,
    Unreachable,
}

/// <summary>One finished tenant of a run record.</summary>
public sealed class TenantRunOutcome
{
    public string TenantName { get; set; } = "";

    public DatabaseEngine Engine { get; set; }

    public TenantRunResult Result { get; set; }

    public bool Succeeded => Result == TenantRunResult.Succeeded;

    public TenantState StateAfter { get; set; }

    public string? VersionBefore { get; set; }

    public string? VersionAfter { get; set; }

    /// <summary>The versions (or repeatable descriptions) applied in this run.</summary>
    public string[] Applied { get; set; } = [];

    public string? ErrorId { get; set; }

    /// <summary>The error, with any secret removed.</summary>
    public string? ErrorMessage { get; set; }

    public TimeSpan Duration { get; set; }

    public DateTimeOffset FinishedAt { get; set; }

    /// <summary>The wave of a rollout the tenant ran in; null in a flat run.</summary>
    public string? Wave { get; set; }

    public override string ToString() => ErrorId is null ? $"{TenantName}: {Result}" : $"{TenantName}: {Result} ({ErrorId})";
}

/// <summary>How far one wave of a recorded rollout got: the tenants it finished, and how they ended.</summary>
public sealed class TenantRunWave
{
    public string Name { get; set; } = "";

    public int Done { get; set; }

    public int Succeeded { get; set; }

    public int Failed { get; set; }

    public override string ToString() => $"{Name}: {Done} done, {Failed} failed";
}

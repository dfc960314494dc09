namespace TenantMigrations;

/// <summary>
/// The tenants that share one current version, as Get-TenantMigrationStatus -Summary returns them: how many there
/// are and how many are in each state. Version is null for the tenants with nothing applied (or that could not be read).
/// </summary>
public sealed class TenantVersionCohort
{
    public string? Version { get; set; }

    public int Count { get; set; }

    public int UpToDate { get; set; }

    public int Pending { get; set; }

    public int Failed { get; set; }

    public int Drifted { get; set; }

    public int Incomplete { get; set; }

    public int Locked { get; set; }

    public int Unreachable { get; set; }

    public int Invalid { get; set; }

    /// <summary>The names of the cohort's tenants, in input order.</summary>
    public string[] Tenants { get; set; } = [];

    /// <summary>The states with at least one tenant, such as "3 UpToDate, 1 Locked".</summary>
    public string States { get; set; } = "";

    public override string ToString() => $"{Version ?? "none"}: {Count} tenant(s) ({States})";
}

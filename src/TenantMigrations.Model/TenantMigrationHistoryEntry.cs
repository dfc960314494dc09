namespace TenantMigrations;

/// <summary>One row of a tenant's journal, as Get-TenantMigrationHistory returns it.</summary>
public sealed class TenantMigrationHistoryEntry
{
    public Tenant Tenant { get; set; } = new();

    public string TenantName => Tenant.Name;

    public DatabaseEngine Engine => Tenant.Engine;

    /// <summary>The order in which the journal recorded the row.</summary>
    public int InstalledRank { get; set; }

    /// <summary>The version; null for a repeatable migration.</summary>
    public string? Version { get; set; }

    public string Description { get; set; } = "";

    public MigrationKind Kind { get; set; }

    public JournalState State { get; set; }

    /// <summary>When the migration started, in UTC.</summary>
    public DateTime AppliedAt { get; set; }

    /// <summary>The database user and host that ran it.</summary>
    public string? AppliedBy { get; set; }

    public string? RunId { get; set; }

    /// <summary>How long it ran; null while it is running or when the journal did not record it.</summary>
    public TimeSpan? Duration { get; set; }

    /// <summary>The error that failed it; null unless it failed.</summary>
    public string? Error { get; set; }

    /// <summary>The file the migration was applied from.</summary>
    public string? ScriptName { get; set; }

    public override string ToString() => $"{TenantName}: {Version ?? Description} {State}";
}

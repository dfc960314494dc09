namespace TenantMigrations.Engine.Journal;

/// <summary>One row of a tenant's journal table.</summary>
public sealed record JournalEntry
{
    public required int InstalledRank { get; init; }

    public string? Version { get; init; }

    public required string Description { get; init; }

    public required MigrationKind Kind { get; init; }

    public string? Checksum { get; init; }

    public required JournalState State { get; init; }

    public required DateTime StartedAt { get; init; }

    public DateTime? FinishedAt { get; init; }

    public long? DurationMs { get; init; }

    public string? AppliedBy { get; init; }

    public string? RunId { get; init; }

    public string? ToolVersion { get; init; }

    public string? Error { get; init; }

    public string? FailedStatement { get; init; }

    public string? ScriptName { get; init; }

    /// <summary>The script as applied, placeholders substituted; not read by status queries.</summary>
    public string? Script { get; init; }

    public string Key => Version ?? Description;
}

/// <summary>What a read of one tenant's journal found. <see cref="LockHolder"/> names who holds the lock, where the engine tells.</summary>
public sealed record JournalSnapshot(bool JournalExists, IReadOnlyList<JournalEntry> Entries, bool LockedByAnother = false, string? UnreachableReason = null, bool InvalidTenant = false, string? LockHolder = null)
{
    public static readonly JournalSnapshot Empty = new(false, []);

    public static JournalSnapshot Unreachable(string reason) => new(false, [], UnreachableReason: reason);

    /// <summary>The tenant's own settings are unusable (a schema name that cannot be quoted, a bad connection string).</summary>
    public static JournalSnapshot Invalid(string reason) => new(false, [], UnreachableReason: reason, InvalidTenant: true);
}

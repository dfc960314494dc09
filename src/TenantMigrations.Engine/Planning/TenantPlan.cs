using TenantMigrations.Engine.Journal;
using TenantMigrations.Engine.Migrations;

namespace TenantMigrations.Engine.Planning;

/// <summary>One migration a tenant would run: the whole text as the journal keeps it, and the statements that run.</summary>
public sealed record PlannedMigration(Migration Migration, MigrationScript Script, string RenderedSql, IReadOnlyList<string> Statements, bool OutOfOrder, bool Retry)
{
    public bool Transactional => Script.Directives.Transaction;

    /// <summary>The journal row of this migration, 'running' and not yet finished.</summary>
    public JournalEntry StartEntry(int installedRank, string appliedBy, string? runId) => new()
    {
        InstalledRank = installedRank,
        Version = Migration.Version?.Text,
        Description = Migration.Description,
        Kind = Migration.Kind,
        Checksum = Script.Checksum,
        State = JournalState.Running,
        StartedAt = DateTime.UtcNow,
        AppliedBy = appliedBy.Length > Journal.JournalColumns.MaxAppliedByLength ? appliedBy[..Journal.JournalColumns.MaxAppliedByLength] : appliedBy,
        RunId = runId,
        ToolVersion = Execution.MigrateOptions.ToolVersion,
        ScriptName = Script.FileName,
        Script = RenderedSql,
    };

    public AppliedMigration Describe(JournalState state = JournalState.Succeeded, TimeSpan duration = default) => new()
    {
        Version = Migration.Version?.Text,
        Description = Migration.Description,
        Kind = Migration.Kind,
        Script = Script.FileName,
        State = state,
        Duration = duration,
    };
}

/// <summary>Where one tenant stands against a migration set, and what a migrate would do.</summary>
public sealed class TenantPlan
{
    public required Tenant Tenant { get; init; }

    public required TenantState State { get; init; }

    public string? CurrentVersion { get; init; }

    public IReadOnlyList<PlannedMigration> Pending { get; init; } = [];

    public IReadOnlyList<string> Failed { get; init; } = [];

    public IReadOnlyList<string> ChecksumMismatches { get; init; } = [];

    public IReadOnlyList<string> MissingFiles { get; init; } = [];

    public IReadOnlyList<string> OutOfOrder { get; init; } = [];

    public IReadOnlyList<string> Incomplete { get; init; } = [];

    public DateTime? LastAppliedAt { get; init; }

    /// <summary>Why the tenant cannot be migrated as it stands; null when it can.</summary>
    public MigrationError? Blocker { get; init; }

    public IReadOnlyList<JournalEntry> Journal { get; init; } = [];

    public TenantMigrationStatus ToStatus(string? message = null) => new()
    {
        Tenant = Tenant,
        State = State,
        CurrentVersion = CurrentVersion,
        Pending = Pending.Select(p => p.Migration.Key).ToArray(),
        Failed = [.. Failed],
        Drift = [.. ChecksumMismatches.Select(v => $"{v}: checksum mismatch"), .. MissingFiles.Select(v => $"{v}: applied but no file")],
        OutOfOrder = [.. OutOfOrder],
        Incomplete = [.. Incomplete],
        LastAppliedAt = LastAppliedAt,
        Message = message ?? Blocker?.Message,
    };
}

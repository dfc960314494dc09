using TenantMigrations.Engine.Journal;

namespace TenantMigrations.Engine.Commands;

/// <summary>Which journal rows Get-TenantMigrationHistory returns; an unset filter keeps every row.</summary>
public sealed record HistoryFilter(string? Version = null, JournalState? State = null, string? RunId = null, DateTime? Since = null)
{
    public bool Matches(JournalEntry entry) =>
        (Version is null || string.Equals(entry.Version, Version, StringComparison.OrdinalIgnoreCase))
        && (State is null || entry.State == State)
        && (RunId is null || string.Equals(entry.RunId, RunId, StringComparison.OrdinalIgnoreCase))
        && (Since is null || entry.StartedAt >= Since.Value.ToUniversalTime());
}

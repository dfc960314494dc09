using TenantMigrations.Engine.Journal;
using TenantMigrations.Engine.Migrations;

namespace TenantMigrations.Engine.Replay;

/// <summary>One applied script as the source tenant's journal holds it: the text as it ran, placeholders substituted.</summary>
public sealed record RecordedScript(MigrationKind Kind, MigrationVersion? Version, string Description, string Checksum, string? ScriptName, string Script, int InstalledRank)
{
    public string Key => Version?.Text ?? Description;

    public override string ToString() => Version is null ? $"R {Description}" : $"{Version.Text} {Description}";
}

/// <summary>
/// What a tenant's journal says rebuilds its schema: the versions that count as applied (lowest first, each with the
/// text of its latest successful run) and the repeatables in the order of their latest successful run.
/// </summary>
public sealed record RecordedHistory(
    Tenant Source,
    string JournalTable,
    IReadOnlyList<RecordedScript> Versioned,
    IReadOnlyList<RecordedScript> Repeatable,
    IReadOnlyList<JournalEntry> Skipped,
    IReadOnlyList<string> AppliedOutOfOrder)
{
    public IEnumerable<RecordedScript> All => Versioned.Concat(Repeatable);

    public string? CurrentVersion => Versioned.Count == 0 ? null : Versioned[^1].Key;

    /// <summary>Warnings worth a human's eye: rows left out, and versions the source applied out of order.</summary>
    public IEnumerable<string> Warnings()
    {
        if (Skipped.Count > 0)
        {
            var rows = string.Join(", ", Skipped.Select(e => $"{e.Key} ({JournalColumns.StateText(e.State)})"));
            yield return $"Tenant '{Source.Name}': {Skipped.Count} failed or incomplete journal row(s) left out: {rows}.";
        }
        if (AppliedOutOfOrder.Count > 0)
        {
            yield return $"Tenant '{Source.Name}': version(s) {string.Join(", ", AppliedOutOfOrder)} were applied out of order there; the history replays in version order, as a fresh migrate would.";
        }
    }
}

/// <summary>A tenant's history cannot be rebuilt elsewhere (no journal, a baseline, a row without its script).</summary>
public sealed class RecordedHistoryException(string errorId, string message) : Exception(message)
{
    public string ErrorId { get; } = errorId;
}

using TenantMigrations.Engine.Journal;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Planning;

namespace TenantMigrations.Engine.Replay;

/// <summary>Turns journal rows (with their scripts) into a <see cref="RecordedHistory"/>. Pure: no I/O.</summary>
public static class RecordedHistoryBuilder
{
    public static RecordedHistory Build(Tenant source, string journalTable, IReadOnlyList<JournalEntry> entries)
    {
        // The same reading of the journal as the planner's: the latest row of a version decides, a failed undo changes nothing.
        var latestByVersion = entries
            .Where(e => e.Version is not null && e.Kind is MigrationKind.Versioned or MigrationKind.Undo or MigrationKind.Baseline && !Planner.IsFailedUndo(e))
            .GroupBy(e => MigrationVersion.Parse(e.Version!))
            .ToDictionary(g => g.Key, g => g.MaxBy(e => e.InstalledRank)!);
        var applied = latestByVersion
            .Where(kv => kv.Value.State == JournalState.Succeeded && kv.Value.Kind != MigrationKind.Undo)
            .OrderBy(kv => kv.Key)
            .ToList();
        if (applied.Where(kv => kv.Value.Kind == MigrationKind.Baseline).Select(kv => kv.Key).Max() is { } baseline)
        {
            throw new RecordedHistoryException(ReplayErrorIds.HistoryNotReplayable,
                $"Tenant '{source.Name}' was baselined at version {baseline.Text}: its journal holds no scripts for the versions up to {baseline.Text}, so its history cannot rebuild the schema elsewhere. Export or replay a tenant that was migrated from scratch.");
        }

        var versioned = applied.Select(kv => Recorded(source, kv.Value, kv.Key)).ToList();
        var repeatable = entries
            .Where(e => e.Kind == MigrationKind.Repeatable && e.State == JournalState.Succeeded)
            .GroupBy(e => e.Description, StringComparer.OrdinalIgnoreCase)
            .Select(g => g.MaxBy(e => e.InstalledRank)!)
            .OrderBy(e => e.InstalledRank)
            .Select(e => Recorded(source, e, null))
            .ToList();
        var skipped = entries.Where(e => e.State is JournalState.Failed or JournalState.Running).OrderBy(e => e.InstalledRank).ToList();
        return new RecordedHistory(source, journalTable, versioned, repeatable, skipped, OutOfOrder(versioned));
    }

    /// <summary>Versions applied after a higher one.</summary>
    private static List<string> OutOfOrder(List<RecordedScript> versioned)
    {
        var outOfOrder = new List<string>();
        MigrationVersion? highest = null;
        foreach (var script in versioned.OrderBy(s => s.InstalledRank))
        {
            if (highest is not null && script.Version! < highest) outOfOrder.Add(script.Key);
            else highest = script.Version;
        }
        return outOfOrder;
    }

    private static RecordedScript Recorded(Tenant source, JournalEntry entry, MigrationVersion? version)
    {
        if (string.IsNullOrWhiteSpace(entry.Script))
        {
            var what = version is null ? $"repeatable '{entry.Description}'" : $"version {version.Text}";
            throw new RecordedHistoryException(ReplayErrorIds.HistoryNotReplayable,
                $"Tenant '{source.Name}': the journal row of {what} (rank {entry.InstalledRank}) holds no script, so its history cannot be rebuilt elsewhere.");
        }
        var script = MigrationSet.NormalizeText(entry.Script);
        return new RecordedScript(entry.Kind, version, entry.Description, entry.Checksum ?? MigrationSet.ChecksumOf(script), entry.ScriptName, script, entry.InstalledRank);
    }
}

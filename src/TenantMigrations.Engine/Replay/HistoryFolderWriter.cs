using System.Globalization;
using System.Text;
using TenantMigrations.Engine.Migrations;

namespace TenantMigrations.Engine.Replay;

/// <summary>
/// Writes a recorded history as a migrations folder: one file per applied version, the repeatables, a README naming
/// where the history came from, and tenantmigrations.json when the source's journal table is not the default.
/// </summary>
public static class HistoryFolderWriter
{
    public const string ReadmeName = "README.md";

    /// <summary>The migration files in the order a migrate runs them (versions first, then repeatables), with their scripts.</summary>
    public static IReadOnlyList<(string FileName, RecordedScript Script)> Plan(RecordedHistory history)
    {
        var files = history.Versioned.Select(s => (HistoryFileNames.Plain(s), s)).ToList();
        files.AddRange(HistoryFileNames.ForRepeatables(history.Repeatable).Zip(history.Repeatable));
        return files;
    }

    /// <summary>
    /// Refuses a folder that holds anything unless <paramref name="force"/>; with it, replaces the files it writes and
    /// removes the folder's other .sql files, which would otherwise run too. Nothing is written when it refuses.
    /// </summary>
    public static IReadOnlyList<string> Write(RecordedHistory history, string folder, bool force, DateTime exportedAt)
    {
        var files = Plan(history);
        var written = files.Select(f => f.FileName).Append(ReadmeName).ToList();
        var custom = history.JournalTable != MigrationSettings.DefaultJournalTable;
        if (custom) written.Add(MigrationSettings.FileName);

        var stale = CheckFolder(folder, force).Where(path => !written.Contains(Path.GetFileName(path), StringComparer.OrdinalIgnoreCase)).ToList();

        Directory.CreateDirectory(folder);
        foreach (var path in stale) File.Delete(path);
        foreach (var (fileName, script) in files) File.WriteAllText(Path.Combine(folder, fileName), WithFinalNewline(script.Script), Utf8);
        File.WriteAllText(Path.Combine(folder, ReadmeName), Readme(history, files, exportedAt), Utf8);
        var settings = Path.Combine(folder, MigrationSettings.FileName);
        // An earlier export's settings would otherwise point a migrate of this folder at the wrong journal table.
        if (custom) File.WriteAllText(settings, $"{{ \"journalTable\": \"{history.JournalTable}\" }}\n", Utf8);
        else File.Delete(settings);
        return files.Select(f => f.FileName).ToList();
    }

    /// <summary>
    /// Refuses a folder that holds anything unless <paramref name="force"/>, and even then one with .sql files in a
    /// subfolder, which a migrate would run too. Returns the .sql files a forced export replaces or removes.
    /// </summary>
    public static IReadOnlyList<string> CheckFolder(string folder, bool force)
    {
        if (!Directory.Exists(folder) || !Directory.EnumerateFileSystemEntries(folder).Any()) return [];
        if (!force)
        {
            var present = Directory.EnumerateFileSystemEntries(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal).Take(5);
            throw new RecordedHistoryException(ReplayErrorIds.OutputExists,
                $"The output folder {folder} is not empty ({string.Join(", ", present)}...): nothing was written. Pass -Force (--force) to replace its migration files, or choose an empty folder.");
        }
        var nested = Directory.EnumerateDirectories(folder).SelectMany(d => Directory.EnumerateFiles(d, "*.sql", new EnumerationOptions { RecurseSubdirectories = true, MatchCasing = MatchCasing.CaseInsensitive })).FirstOrDefault();
        if (nested is not null)
        {
            throw new RecordedHistoryException(ReplayErrorIds.OutputExists,
                $"The output folder {folder} holds {nested} in a subfolder, which a migrate would run too: nothing was written. Choose an empty folder.");
        }
        return Directory.EnumerateFiles(folder, "*.sql", new EnumerationOptions { MatchCasing = MatchCasing.CaseInsensitive }).ToList();
    }

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private static string WithFinalNewline(string text) => text.EndsWith('\n') ? text : text + "\n";

    private static string Readme(RecordedHistory history, IReadOnlyList<(string FileName, RecordedScript Script)> files, DateTime exportedAt)
    {
        var text = new StringBuilder();
        text.Append("# Migration history of tenant ").Append(history.Source.Name).Append("\n\n");
        text.Append("- Source tenant: ").Append(history.Source.Name).Append('\n');
        text.Append("- Engine: ").Append(history.Source.Engine).Append(history.Source.Schema is { } schema ? $" (schema {schema})" : "").Append('\n');
        text.Append("- Exported at: ").Append(exportedAt.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)).Append('\n');
        text.Append("- Journal table: ").Append(history.JournalTable).Append('\n');
        text.Append("- Version: ").Append(history.CurrentVersion ?? "(none, repeatables only)").Append('\n');
        text.Append("- Tool: TenantMigrations ").Append(Execution.MigrateOptions.ToolVersion).Append("\n\n");
        text.Append("Each file holds the script exactly as the journal recorded it: placeholders are already substituted with the\n");
        text.Append("source tenant's values. Run the folder with any TenantMigrations migrate to rebuild this schema on an empty tenant.\n");
        text.Append("Failed and incomplete journal rows, and undone versions, are not exported.\n\n");
        text.Append("Files, in the order a migrate runs them:\n\n");
        foreach (var (fileName, script) in files)
        {
            var rendered = !string.Equals(MigrationSet.ChecksumOf(script.Script), script.Checksum, StringComparison.OrdinalIgnoreCase);
            text.Append("- ").Append(fileName).Append(" (journal rank ").Append(script.InstalledRank.ToString(CultureInfo.InvariantCulture));
            if (script.ScriptName is { } original && original != fileName) text.Append(", was ").Append(original);
            if (rendered) text.Append("; text differs from the original file, so its checksum does too");
            text.Append(")\n");
        }
        if (history.Repeatable.Count > 1 && files.Any(f => f.Script.Version is null && f.FileName != HistoryFileNames.Plain(f.Script)))
        {
            text.Append("\nThe repeatables carry a sequence number in front of their descriptions, so that they run in the order the\n");
            text.Append("source tenant last applied them (a migrate runs repeatables in the order of their descriptions).\n");
        }
        if (history.Skipped.Count > 0)
        {
            text.Append("\nLeft out (failed or incomplete): ").Append(string.Join(", ", history.Skipped.Select(e => e.Key))).Append('\n');
        }
        return text.ToString();
    }
}

using System.Globalization;

namespace TenantMigrations.Engine.Replay;

/// <summary>
/// The file names an exported history gets. Versioned scripts: V&lt;version&gt;__&lt;description&gt;.sql, plain (for every
/// engine). Repeatables run in the order of their descriptions, so they keep their names when that order is the order
/// the source applied them in; otherwise every repeatable gets a sequence number in front of its description.
/// </summary>
public static class HistoryFileNames
{
    public static string Plain(RecordedScript script) =>
        script.Version is null ? $"R__{Safe(script.Description)}.sql" : $"V{script.Version.Text}__{Safe(script.Description)}.sql";

    public static IReadOnlyList<string> ForRepeatables(IReadOnlyList<RecordedScript> repeatables)
    {
        var descriptions = repeatables.Select(r => r.Description).ToList();
        if (descriptions.SequenceEqual(descriptions.Order(StringComparer.OrdinalIgnoreCase))) return repeatables.Select(Plain).ToList();
        var width = Math.Max(2, repeatables.Count.ToString(CultureInfo.InvariantCulture).Length);
        return repeatables.Select((r, i) => $"R__{(i + 1).ToString(CultureInfo.InvariantCulture).PadLeft(width, '0')}_{Safe(r.Description)}.sql").ToList();
    }

    /// <summary>Spaces go back to underscores, as the loader reads them; characters no file system takes become '_'.</summary>
    private static string Safe(string description)
    {
        var invalid = Path.GetInvalidFileNameChars().Concat(['/', '\\', ':', '*', '?', '"', '<', '>', '|']).ToHashSet();
        return new string(description.Select(c => c == ' ' || invalid.Contains(c) || char.IsControl(c) ? '_' : c).ToArray());
    }
}

using System.Globalization;
using TenantMigrations.Engine.Migrations;

namespace TenantMigrations.Engine.Rollouts;

/// <summary>
/// One wave of a rollout. It selects, among the tenants no earlier wave took, those with one of its tags or a name
/// matching one of its wildcards, or a stable percentage of them, or (with no selector) all of them.
/// </summary>
public sealed record WaveDefinition
{
    public required string Name { get; init; }

    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Name wildcards (* and ?).</summary>
    public IReadOnlyList<string> Names { get; init; } = [];

    /// <summary>A percentage (above 0, at most 100) of the tenants left, picked by a stable hash of their names.</summary>
    public double? Percent { get; init; }

    /// <summary>Failed tenants the wave tolerates; null: the run's default (0 for the first wave).</summary>
    public int? MaxFailures { get; init; }

    /// <summary>Failure rate in percent the wave tolerates; null: the run's default.</summary>
    public double? MaxFailureRate { get; init; }

    /// <summary>Whether verify scripts run on this wave's tenants (default true).</summary>
    public bool Verify { get; init; } = true;

    public bool TakesRest => Tags.Count == 0 && Names.Count == 0 && Percent is null;

    public override string ToString() => Name;

    /// <summary>
    /// The waves of --waves: comma-separated items, each a tag ("canary"), a percentage ("10%") or "rest".
    /// Throws ArgumentException naming the option and the bad item.
    /// </summary>
    public static IReadOnlyList<WaveDefinition> Parse(string text, string optionName = "--waves")
    {
        var items = text.Split(',', StringSplitOptions.TrimEntries);
        var waves = new List<WaveDefinition>();
        foreach (var item in items)
        {
            if (item.Length == 0) throw new ArgumentException($"{optionName} '{text}' has an empty item: write items such as canary,10%,rest.");
            if (item.Equals("rest", StringComparison.OrdinalIgnoreCase))
            {
                waves.Add(new WaveDefinition { Name = "rest" });
            }
            else if (item.EndsWith('%'))
            {
                if (!double.TryParse(item[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var percent) || percent <= 0 || percent > 100)
                {
                    throw new ArgumentException($"{optionName}: '{item}' is not a percentage above 0 and at most 100.");
                }
                waves.Add(new WaveDefinition { Name = item, Percent = percent });
            }
            else
            {
                waves.Add(new WaveDefinition { Name = item, Tags = [item] });
            }
        }
        Check(waves, message => new ArgumentException($"{optionName}: {message}"));
        return waves;
    }

    internal static IReadOnlyList<WaveDefinition> FromSettings(string path, IReadOnlyList<WaveSettings> settings)
    {
        var waves = new List<WaveDefinition>();
        for (var i = 0; i < settings.Count; i++)
        {
            var wave = settings[i];
            var name = string.IsNullOrWhiteSpace(wave.Name) ? throw new MigrationSetException(path, $"waves[{i}] has no \"name\".") : wave.Name.Trim();
            if (wave.Percent is { } percent && (percent <= 0 || percent > 100)) throw new MigrationSetException(path, $"wave '{name}': \"percent\" must be above 0 and at most 100, not {percent.ToString(CultureInfo.InvariantCulture)}.");
            if (wave.Percent is not null && (wave.Tags is { Count: > 0 } || wave.Names is { Count: > 0 })) throw new MigrationSetException(path, $"wave '{name}': choose \"percent\" or \"tags\"/\"names\", not both.");
            if (wave.MaxFailures is < 0) throw new MigrationSetException(path, $"wave '{name}': \"maxFailures\" cannot be negative.");
            if (wave.MaxFailureRate is < 0 or > 100) throw new MigrationSetException(path, $"wave '{name}': \"maxFailureRate\" is a percentage from 0 to 100.");
            waves.Add(new WaveDefinition
            {
                Name = name,
                Tags = [.. (wave.Tags ?? []).Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t.Trim())],
                Names = [.. (wave.Names ?? []).Where(n => !string.IsNullOrWhiteSpace(n)).Select(n => n.Trim())],
                Percent = wave.Percent,
                MaxFailures = wave.MaxFailures,
                MaxFailureRate = wave.MaxFailureRate,
                Verify = wave.Verify ?? true,
            });
        }
        Check(waves, message => new MigrationSetException(path, $"waves: {message}"));
        return waves;
    }

    private static void Check(List<WaveDefinition> waves, Func<string, Exception> problem)
    {
        var duplicate = waves.GroupBy(w => w.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw problem($"wave '{duplicate.Key}' is defined {duplicate.Count()} times.");
        var rest = waves.FindIndex(w => w.TakesRest);
        if (rest >= 0 && rest < waves.Count - 1) throw problem($"wave '{waves[rest].Name}' takes the rest of the tenants, so it must be the last wave.");
    }
}

/// <summary>A wave as written in the settings file.</summary>
internal sealed class WaveSettings
{
    public string? Name { get; set; }

    public List<string>? Tags { get; set; }

    public List<string>? Names { get; set; }

    public double? Percent { get; set; }

    public int? MaxFailures { get; set; }

    public double? MaxFailureRate { get; set; }

    public bool? Verify { get; set; }
}

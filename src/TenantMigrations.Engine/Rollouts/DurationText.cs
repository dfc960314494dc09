using System.Globalization;
using System.Text.RegularExpressions;

namespace TenantMigrations.Engine.Rollouts;

/// <summary>Durations as people write them: 90s, 10m, 2h45m, 1d, or a plain number of seconds.</summary>
public static partial class DurationText
{
    /// <summary>Throws ArgumentException naming <paramref name="optionName"/> when the text is not a positive duration.</summary>
    public static TimeSpan Parse(string? text, string optionName)
    {
        var trimmed = text?.Trim() ?? "";
        if (double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0 && seconds <= TimeSpan.MaxValue.TotalSeconds / 2)
        {
            return TimeSpan.FromSeconds(seconds);
        }
        var match = Units().Match(trimmed);
        if (trimmed.Length == 0 || !match.Success) throw new ArgumentException($"{optionName} '{text}' is not a duration: write e.g. 90s, 10m, 2h45m or 1d.");
        var total = TimeSpan.Zero;
        foreach (var (group, unit) in new[] { ("d", TimeSpan.FromDays(1)), ("h", TimeSpan.FromHours(1)), ("m", TimeSpan.FromMinutes(1)), ("s", TimeSpan.FromSeconds(1)) })
        {
            if (match.Groups[group].Success) total += unit * int.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);
        }
        return total;
    }

    public static string Format(TimeSpan duration) =>
        duration.TotalHours >= 1 ? $"{(int)duration.TotalHours}h{duration.Minutes:00}m" : duration.TotalMinutes >= 1 ? $"{duration.Minutes}m{duration.Seconds:00}s" : $"{duration.TotalSeconds:0.#}s";

    [GeneratedRegex(@"^(?:(?<d>\d{1,5})d)?(?:(?<h>\d{1,6})h)?(?:(?<m>\d{1,7})m)?(?:(?<s>\d{1,9})s)?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Units();
}

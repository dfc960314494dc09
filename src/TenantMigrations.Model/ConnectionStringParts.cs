using System.Data.Common;
using System.Text;
using System.Text.RegularExpressions;

namespace TenantMigrations;

/// <summary>
/// A connection string as key/value pairs that keep the keys as the user wrote them: DbConnectionStringBuilder
/// parses values correctly (quotes, escapes) but lowercases every key, which reads badly in tables and logs.
/// </summary>
internal static partial class ConnectionStringParts
{
    /// <summary>The pairs in order; throws ArgumentException when the text is not a connection string.</summary>
    public static List<KeyValuePair<string, string>> Parse(string connectionString)
    {
        var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
        var spellings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (Match match in KeySpelling().Matches(connectionString)) spellings.TryAdd(match.Groups["key"].Value, match.Groups["key"].Value);
        return builder.Keys.Cast<string>()
            .Select(key => new KeyValuePair<string, string>(spellings.GetValueOrDefault(key, key), Convert.ToString(builder[key], System.Globalization.CultureInfo.InvariantCulture) ?? ""))
            .ToList();
    }

    public static string Format(IEnumerable<KeyValuePair<string, string>> parts)
    {
        var text = new StringBuilder();
        foreach (var (key, value) in parts) DbConnectionStringBuilder.AppendKeyValuePair(text, key, value);
        return text.ToString();
    }

    /// <summary>The redacted connection string with the keys as given; the redactor decides what is secret.</summary>
    public static string Redacted(string connectionString)
    {
        var redacted = ConnectionStringRedactor.Redact(connectionString);
        if (string.IsNullOrEmpty(connectionString)) return redacted;
        try
        {
            var masked = new DbConnectionStringBuilder { ConnectionString = redacted };
            return Format(Parse(connectionString).Select(p =>
                new KeyValuePair<string, string>(p.Key, masked.TryGetValue(p.Key, out var value) ? Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "" : ConnectionStringRedactor.Mask)));
        }
        catch (ArgumentException)
        {
            return redacted;
        }
    }

    [GeneratedRegex(@"(?:^|;)\s*(?<key>[^=;\s][^=;]*?)\s*=")]
    private static partial Regex KeySpelling();
}

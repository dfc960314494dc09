using System.Text.RegularExpressions;

namespace TenantMigrations.Engine.Migrations;

/// <summary>${name} substitution. Built-ins: tenant and schema; then the settings' defaults; then the tenant's properties.</summary>
public static partial class Placeholders
{
    public static IReadOnlySet<string> NamesIn(string text) =>
        Pattern().Matches(text).Select(m => m.Groups["name"].Value).ToHashSet(StringComparer.OrdinalIgnoreCase);

    public static IReadOnlyDictionary<string, string> ValuesFor(Tenant tenant, MigrationSettings settings)
    {
        var values = new Dictionary<string, string>(settings.Placeholders, StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in tenant.Properties) values[key] = value;
        values["tenant"] = tenant.Name;
        values["schema"] = tenant.Schema ?? "";
        return values;
    }

    /// <summary>The names used by the text that have no value.</summary>
    public static IReadOnlyList<string> Missing(MigrationScript script, IReadOnlyDictionary<string, string> values) =>
        script.Placeholders.Where(name => !values.ContainsKey(name)).Order(StringComparer.Ordinal).ToList();

    public static string Render(MigrationScript script, IReadOnlyDictionary<string, string> values)
    {
        var missing = Missing(script, values);
        if (missing.Count > 0) throw new MigrationSetException(script.Path, $"unknown placeholder(s) {string.Join(", ", missing.Select(n => "${" + n + "}"))}.");
        return Pattern().Replace(script.Content, m => values[m.Groups["name"].Value]);
    }

    [GeneratedRegex(@"\$\{(?<name>[A-Za-z_][A-Za-z0-9_.\-]*)\}")]
    private static partial Regex Pattern();
}

using System.Text.RegularExpressions;
using TenantMigrations.Engine.Dialects;

namespace TenantMigrations.Engine.Migrations;

/// <summary>
/// ${name} substitution. Built-ins: tenant and schema; then the settings' defaults; then the tenant's properties.
/// Values are substituted into statements that were split beforehand, so no value can add a statement, and each form
/// bounds what a value can do inside its statement:
/// <c>${name}</c> takes plain values only (letters, digits, _ - . and spaces), <c>${name:literal}</c> becomes a quoted
/// string literal, <c>${name:identifier}</c> a quoted identifier, and <c>${name:raw}</c> pastes the text as it is, which
/// only the migrations folder's own settings may supply.
/// </summary>
public static partial class Placeholders
{
    public const int MaxPlainLength = 200;

    public static IReadOnlySet<string> NamesIn(string text) =>
        Pattern().Matches(text).Select(m => m.Groups["name"].Value).ToHashSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>Placeholders with a form other than literal, identifier or raw, such as ${name:lit}: an error in the file.</summary>
    public static IReadOnlyList<string> UnknownFormsIn(string text) =>
        AnyForm().Matches(text).Select(m => m.Value).Where(usage => !Pattern().IsMatch(usage)).Distinct(StringComparer.Ordinal).ToList();

    public static PlaceholderValues ValuesFor(Tenant tenant, MigrationSettings settings)
    {
        var values = new Dictionary<string, string>(settings.Placeholders, StringComparer.OrdinalIgnoreCase);
        var fromTenant = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "tenant", "schema" };
        foreach (var (key, value) in tenant.Properties)
        {
            values[key] = value;
            fromTenant.Add(key);
        }
        values["tenant"] = tenant.Name;
        values["schema"] = tenant.Schema ?? "";
        return new PlaceholderValues(values, fromTenant);
    }

    /// <summary>Why the text cannot be rendered for these values: missing names, values unfit for their form. Empty when it can.</summary>
    public static IReadOnlyList<string> Problems(MigrationScript script, PlaceholderValues values)
    {
        if (script.Placeholders.Count == 0 && !script.Content.Contains("${", StringComparison.Ordinal)) return [];
        var problems = new List<string>();
        var missing = script.Placeholders.Where(name => !values.Values.ContainsKey(name)).Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0) problems.Add($"{script.FileName} uses unknown placeholder(s) {string.Join(", ", missing.Select(n => "${" + n + "}"))}.");
        foreach (var usage in Pattern().Matches(script.Content).DistinctBy(m => m.Value, StringComparer.OrdinalIgnoreCase))
        {
            var name = usage.Groups["name"].Value;
            if (!values.Values.TryGetValue(name, out var value)) continue;
            switch (FormOf(usage))
            {
                case PlaceholderForm.Plain when !IsPlain(value):
                    problems.Add($"{script.FileName}: the value of ${{{name}}} is not plain (only letters, digits, '_', '-', '.' and spaces, at most {MaxPlainLength}); use ${{{name}:literal}} or ${{{name}:identifier}} for other values.");
                    break;
                case PlaceholderForm.Identifier when !Identifiers.IsSafe(value):
                    problems.Add($"{script.FileName}: the value of ${{{name}:identifier}} is not a safe identifier (letters, digits, '_' and '-', starting with a letter or '_', at most 63).");
                    break;
                case PlaceholderForm.Raw when values.FromTenant.Contains(name):
                    problems.Add($"{script.FileName}: ${{{name}:raw}} takes its value from the tenant, and raw values may only come from {MigrationSettings.FileName}.");
                    break;
            }
        }
        return problems;
    }

    /// <summary>
    /// Substitutes the values into one statement. Call <see cref="Problems"/> first: a value unfit for its form throws
    /// here too. Identifiers are quoted (and checked) by the dialect.
    /// </summary>
    public static string Render(string statement, PlaceholderValues values, IDatabaseDialect dialect) =>
        !statement.Contains("${", StringComparison.Ordinal) ? statement : Pattern().Replace(statement, usage =>
        {
            var name = usage.Groups["name"].Value;
            var value = values.Values.TryGetValue(name, out var found) ? found : throw new FormatException($"unknown placeholder ${{{name}}}.");
            return FormOf(usage) switch
            {
                PlaceholderForm.Literal => dialect.QuoteLiteral(value),
                PlaceholderForm.Identifier => dialect.QuoteIdentifier(value),
                PlaceholderForm.Raw when !values.FromTenant.Contains(name) => value,
                PlaceholderForm.Plain when IsPlain(value) => value,
                _ => throw new FormatException($"the value of ${{{name}}} cannot be used in that form."),
            };
        });

    public static bool IsPlain(string value) => value.Length <= MaxPlainLength && PlainValue().IsMatch(value);

    private static PlaceholderForm FormOf(Match usage) => usage.Groups["form"].Value.ToLowerInvariant() switch
    {
        "literal" => PlaceholderForm.Literal,
        "identifier" => PlaceholderForm.Identifier,
        "raw" => PlaceholderForm.Raw,
        _ => PlaceholderForm.Plain,
    };

    private enum PlaceholderForm { Plain, Literal, Identifier, Raw }

    [GeneratedRegex(@"\$\{(?<name>[A-Za-z_][A-Za-z0-9_.\-]*)(:(?<form>literal|identifier|raw))?\}", RegexOptions.IgnoreCase)]
    private static partial Regex Pattern();

    [GeneratedRegex(@"\$\{[A-Za-z_][A-Za-z0-9_.\-]*:[^}\s]*\}")]
    private static partial Regex AnyForm();

    [GeneratedRegex(@"^[A-Za-z0-9_.\- ]*$")]
    private static partial Regex PlainValue();
}

/// <summary>A tenant's placeholder values, and which of them come from tenant data rather than the settings file.</summary>
public sealed record PlaceholderValues(IReadOnlyDictionary<string, string> Values, IReadOnlySet<string> FromTenant);

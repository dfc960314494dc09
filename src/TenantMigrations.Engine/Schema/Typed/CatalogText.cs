using System.Text.RegularExpressions;

namespace TenantMigrations.Engine.Schema.Typed;

/// <summary>
/// Normalises how catalogs print types and defaults, so that a projected schema and a live one compare equal when they
/// mean the same. The rule, applied to both sides before comparing:
/// <list type="bullet">
/// <item>types: lower case, white space collapsed; on MySQL the display width of integer types is dropped
/// ("int(11)" is "int", but "tinyint(1)" stays, it is how booleans read) and "json" reads as MariaDB's "longtext";</item>
/// <item>defaults: white space trimmed, outer parentheses removed, PostgreSQL casts removed ("'open'::character varying"
/// is "'open'"), "now()", "current_timestamp()" and "current_timestamp" read alike, true/false read as 1/0, a quoted
/// number reads as the number, and the NULL default is no default.</item>
/// </list>
/// </summary>
public static partial class CatalogText
{
    public static string NormalizeType(DatabaseEngine engine, string type)
    {
        var text = Spaces().Replace(type.Trim().ToLowerInvariant(), " ");
        if (engine != DatabaseEngine.MySql) return text;
        if (text == "json") return "longtext";
        return IntegerWidth().Replace(text, m => m.Groups["type"].Value == "tinyint" && m.Groups["width"].Value == "1" ? m.Value : m.Groups["type"].Value);
    }

    public static string? NormalizeDefault(DatabaseEngine engine, string? text)
    {
        if (text is null) return null;
        var value = text.Trim();
        while (true)
        {
            var before = value;
            if (engine == DatabaseEngine.Postgres) value = PostgresCast().Replace(value, "");
            if (value.Length > 1 && value[0] == '(' && value[^1] == ')' && Balanced(value[1..^1])) value = value[1..^1].Trim();
            if (value == before) break;
        }
        var lower = value.ToLowerInvariant();
        if (lower is "null") return null;
        if (lower is "now()" or "current_timestamp()" or "current_timestamp" or "localtimestamp" or "current_timestamp(6)") return "current_timestamp";
        if (lower is "true" or "'true'") return "1";
        if (lower is "false" or "'false'") return "0";
        if (QuotedNumber().Match(value) is { Success: true } quoted) return quoted.Groups["number"].Value;
        return value;
    }

    private static bool Balanced(string text)
    {
        var depth = 0;
        var quoted = false;
        foreach (var c in text)
        {
            if (c == '\'') quoted = !quoted;
            if (quoted) continue;
            if (c == '(') depth++;
            if (c == ')' && --depth < 0) return false;
        }
        return depth == 0;
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();

    [GeneratedRegex(@"\b(?<type>tinyint|smallint|mediumint|int|bigint)\((?<width>[0-9]+)\)")]
    private static partial Regex IntegerWidth();

    [GeneratedRegex(@"::[a-z_ ]+(\([0-9, ]+\))?(\[\])?$")]
    private static partial Regex PostgresCast();

    [GeneratedRegex(@"^'(?<number>-?[0-9]+(\.[0-9]+)?)'$")]
    private static partial Regex QuotedNumber();
}

using System.Globalization;
using System.Text.RegularExpressions;

namespace TenantMigrations.Engine.Migrations;

/// <summary>
/// Reads the "-- tm:key=value" directives from a file's leading comment lines (block comments may come first). Only
/// the exact form counts. A line that looks like a directive in any other spelling, or one after the first statement,
/// is an error: ignoring it would run the file differently from what its author asked for.
/// </summary>
internal static partial class ScriptDirectiveReader
{
    public const string KnownDirectives = "tm:transaction=true|false, tm:ddl-lock-timeout=<seconds>";

    /// <summary>PostgreSQL's lock_timeout holds at most about 24 days; a day is far beyond any sane DDL wait.</summary>
    private const double MaxDdlLockTimeoutSeconds = 86_400;

    public static ScriptDirectives Read(string path, string content)
    {
        var directives = ScriptDirectives.Default;
        var leading = true;
        var inBlockComment = false;
        var lineNumber = 0;
        foreach (var line in content.Split('\n'))
        {
            lineNumber++;
            var trimmed = line.Trim();
            if (trimmed.Length == 0 || !leading && !trimmed.StartsWith("--", StringComparison.Ordinal)) continue;
            if (inBlockComment || trimmed.StartsWith("/*", StringComparison.Ordinal))
            {
                var close = trimmed.IndexOf("*/", inBlockComment ? 0 : 2, StringComparison.Ordinal);
                inBlockComment = close < 0;
                if (close >= 0 && trimmed[(close + 2)..].Trim().Length > 0) leading = false;
                continue;
            }
            if (!trimmed.StartsWith("--", StringComparison.Ordinal))
            {
                leading = false;
                continue;
            }
            var directive = CanonicalDirective().Match(trimmed);
            var nearMiss = directive.Success ? directive : NearMissDirective().Match(trimmed);
            if (nearMiss.Success && !leading)
            {
                throw new MigrationSetException(path, $"line {lineNumber}: the directive '{trimmed}' comes after the first statement, where it has no effect; move it to the comment lines at the top of the file.");
            }
            if (directive.Success)
            {
                directives = Apply(path, lineNumber, directives, directive.Groups["key"].Value, directive.Groups["value"].Value);
            }
            else if (nearMiss.Success)
            {
                var canonical = $"-- tm:{nearMiss.Groups["key"].Value.ToLowerInvariant()}={nearMiss.Groups["value"].Value.Trim().ToLowerInvariant()}";
                throw new MigrationSetException(path, $"line {lineNumber}: '{trimmed}' looks like a directive but is not written as one; write it exactly as '{canonical}' (the form is '-- tm:<key>=<value>', lower case, no spaces; known: {KnownDirectives}).");
            }
        }
        return directives;
    }

    private static ScriptDirectives Apply(string path, int lineNumber, ScriptDirectives directives, string key, string value) => key switch
    {
        "transaction" when value is "true" or "false" => directives with { Transaction = value == "true" },
        "transaction" => throw new MigrationSetException(path, $"line {lineNumber}: tm:transaction must be true or false, not '{value}'."),
        "ddl-lock-timeout" => directives with { DdlLockTimeout = ParseDdlLockTimeout(path, lineNumber, value) },
        _ => throw new MigrationSetException(path, $"line {lineNumber}: unknown directive 'tm:{key}' (known: {KnownDirectives})."),
    };

    private static TimeSpan ParseDdlLockTimeout(string path, int lineNumber, string value)
    {
        if (!double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds) || seconds <= 0 || seconds > MaxDdlLockTimeoutSeconds)
        {
            throw new MigrationSetException(path, $"line {lineNumber}: tm:ddl-lock-timeout must be a number of seconds above 0 and at most {MaxDdlLockTimeoutSeconds:0} (e.g. 5 or 2.5), not '{value}'.");
        }
        return TimeSpan.FromSeconds(seconds);
    }

    [GeneratedRegex(@"^-- tm:(?<key>[a-z][a-z0-9-]*)=(?<value>\S+)$")]
    private static partial Regex CanonicalDirective();

    /// <summary>"--tm:", "-- TM:", "-- tm: key", "key = value" and the like.</summary>
    [GeneratedRegex(@"^--\s*tm\b\s*[:\-_.]?\s*(?<key>[a-z][a-z0-9_\-]*)\s*[=:]\s*(?<value>.*)$", RegexOptions.IgnoreCase)]
    private static partial Regex NearMissDirective();
}

using System.Globalization;
using System.Text;
using TenantMigrations.Engine.Dialects;

namespace TenantMigrations.Engine.Schema.Drift;

/// <summary>
/// Writes one suggested SQL script per drift class and engine, rendered by the engine's dialect and marked as a
/// suggestion: drift is reported, and fixing it is a migration that a human writes.
/// </summary>
public static class DriftSuggestionScripts
{
    public const string Header = "-- SUGGESTION, review before running.";

    /// <summary>The script of one class; <paramref name="drifts"/> are one of its tenants' differences.</summary>
    public static string Render(IDatabaseDialect dialect, int number, int classes, string reference, IReadOnlyList<string> tenants, IReadOnlyList<SchemaDrift> drifts, DateTime now)
    {
        var script = new StringBuilder();
        script.AppendLine(Header);
        script.AppendLine("-- Not a migration: nothing in this file has run, and nothing runs it. Keep what you want as a new migration,");
        script.AppendLine("-- so that it runs on every tenant of the class (in its own schema or database) and is journaled.");
        script.AppendLine(CultureInfo.InvariantCulture, $"-- Drift class {number} of {classes}: {tenants.Count} {dialect.Engine} tenant(s), compared with {Comment(reference)}; written {now:yyyy-MM-ddTHH:mm:ssZ}.");
        script.AppendLine(CultureInfo.InvariantCulture, $"-- Tenants: {Comment(string.Join(", ", tenants))}");
        foreach (var drift in drifts)
        {
            var fix = dialect.SuggestFix(drift);
            script.AppendLine("--");
            script.AppendLine(CultureInfo.InvariantCulture, $"-- {Comment(drift.Description)}");
            if (fix.Note is not null) script.AppendLine(CultureInfo.InvariantCulture, $"-- {(fix.Statements.Count == 0 ? "No simple fix: " : "")}{Comment(fix.Note)}");
            if (fix.LosesData && fix.Statements.Count > 0) script.AppendLine("-- This loses data, so it is commented out: uncomment it only if that is intended.");
            foreach (var statement in fix.Statements)
            {
                var line = dialect.ScriptStatement(statement);
                script.AppendLine(fix.LosesData ? string.Join('\n', line.Split('\n').Select(l => "-- " + l)) : line);
            }
        }
        return script.ToString();
    }

    /// <summary>Text inside a one-line SQL comment: no line break can end the comment early.</summary>
    private static string Comment(string text) => text.ReplaceLineEndings(" ");

    public static string FileName(int number, DatabaseEngine engine) =>
        $"drift-class-{number.ToString("00", CultureInfo.InvariantCulture)}-{engine.ToString().ToLowerInvariant()}.sql";
}

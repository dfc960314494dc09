using System.Text.RegularExpressions;

namespace TenantMigrations.Engine.Replay;

/// <summary>
/// Scripts rendered for a schema-per-tenant source may name the source's schema, where a migration wrote
/// ${schema:identifier}.table: replayed elsewhere they would change the source tenant itself.
/// </summary>
public static class SourceSchemaReferences
{
    /// <summary>The scripts that use the source's schema as a qualifier ("acme".orders, acme.orders).</summary>
    public static IReadOnlyList<RecordedScript> Find(RecordedHistory history)
    {
        if (string.IsNullOrEmpty(history.Source.Schema)) return [];
        var qualifier = new Regex($@"(?<![\w$""`]){QuotedOrBare(history.Source.Schema)}\s*\.", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        return history.All.Where(s => qualifier.IsMatch(s.Script)).ToList();
    }

    public static string Describe(RecordedHistory history, IReadOnlyList<RecordedScript> scripts) =>
        $"{string.Join(", ", scripts.Select(s => s.ScriptName ?? s.ToString()))} name(s) the schema \"{history.Source.Schema}\" of tenant '{history.Source.Name}' (a placeholder rendered for that tenant)";

    private static string QuotedOrBare(string schema)
    {
        var name = Regex.Escape(schema);
        return $@"(""{name}""|`{name}`|{name}(?![\w$]))";
    }
}

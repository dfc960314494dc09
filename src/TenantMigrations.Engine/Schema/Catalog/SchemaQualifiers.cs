using System.Text.RegularExpressions;

namespace TenantMigrations.Engine.Schema.Catalog;

/// <summary>
/// Catalog text read for many schemas at once names each tenant's own objects with its schema (a default's
/// <c>nextval('tenant_7.orders_id_seq')</c>, a view's <c>FROM tenant_7.orders</c>). Removing the tenant's own
/// qualifier makes the text the same for every tenant, so it compares.
/// </summary>
public static class SchemaQualifiers
{
    /// <param name="quote">The engine's identifier quote character.</param>
    public static string? Strip(string? text, string schema, char quote)
    {
        if (string.IsNullOrEmpty(text)) return text;
        var escaped = Regex.Escape(schema);
        var q = Regex.Escape(quote.ToString());
        return Regex.Replace(text, $@"(?<![\w.{q}])(?:{q}{escaped}{q}|{escaped})\.(?=[\w{q}])", "", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }

    /// <summary>Whitespace collapsed and a trailing semicolon dropped: how view definitions compare.</summary>
    public static string Collapse(string definition) =>
        Regex.Replace(definition, @"\s+", " ", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)).Trim().TrimEnd(';').TrimEnd();
}

namespace TenantMigrations.Engine.Dialects;

/// <summary>Quoting shared by the dialects: the identifier is checked first, so the quote character never needs escaping.</summary>
internal static class QuotedIdentifiers
{
    public static string Quote(string identifier, char quote) => $"{quote}{Identifiers.RequireSafe(identifier, "Identifier")}{quote}";

    public static string StandardLiteral(string? value) => value is null ? "NULL" : $"'{value.Replace("'", "''", StringComparison.Ordinal)}'";
}

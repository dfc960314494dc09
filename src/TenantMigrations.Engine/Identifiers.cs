using System.Text.RegularExpressions;

namespace TenantMigrations.Engine;

/// <summary>The identifiers we accept for schemas, databases and tables: safe to quote in every dialect.</summary>
public static partial class Identifiers
{
    public static bool IsSafe(string? identifier) => identifier is not null && SafeIdentifier().IsMatch(identifier);

    public static string RequireSafe(string? identifier, string what) =>
        IsSafe(identifier)
            ? identifier!
            : throw new InvalidIdentifierException($"{what} '{identifier}' cannot be used: identifiers must start with a letter or underscore and contain only letters, digits, underscores or hyphens (at most 63 characters).");

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_\-]{0,62}$")]
    private static partial Regex SafeIdentifier();
}

public sealed class InvalidIdentifierException(string message) : Exception(message);

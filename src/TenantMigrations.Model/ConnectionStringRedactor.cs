using System.Data.Common;
using System.Text.RegularExpressions;

namespace TenantMigrations;

/// <summary>Removes secrets from connection strings and from any text that may quote one.</summary>
public static partial class ConnectionStringRedactor
{
    public const string Mask = "***";

    private static readonly string[] SecretKeys = ["password", "pwd", "passwd", "passfile", "sslpassword", "ssl password"];

    public static string Redact(string? connectionString)
    {
        if (string.IsNullOrEmpty(connectionString)) return "";
        try
        {
            var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
            foreach (var key in builder.Keys.Cast<string>().ToList())
            {
                if (SecretKeys.Contains(key.Trim().ToLowerInvariant())) builder[key] = Mask;
            }
            return builder.ConnectionString;
        }
        catch (ArgumentException)
        {
            return RedactText(connectionString);
        }
    }

    /// <summary>Masks password assignments in free text and every literal occurrence of the given secrets.</summary>
    public static string RedactText(string? text, IEnumerable<string?>? secrets = null)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        var result = PasswordAssignment().Replace(text, m => m.Groups["key"].Value + Mask);
        foreach (var secret in secrets ?? [])
        {
            if (!string.IsNullOrEmpty(secret) && secret.Length >= 3) result = result.Replace(secret, Mask, StringComparison.Ordinal);
        }
        return result;
    }

    /// <summary>The password values held by a connection string, so they can be masked wherever they appear.</summary>
    public static IReadOnlyList<string> SecretsOf(string? connectionString)
    {
        if (string.IsNullOrEmpty(connectionString)) return [];
        try
        {
            var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
            return builder.Keys.Cast<string>()
                .Where(k => SecretKeys.Contains(k.Trim().ToLowerInvariant()))
                .Select(k => Convert.ToString(builder[k]) ?? "")
                .Where(v => v.Length > 0)
                .ToList();
        }
        catch (ArgumentException)
        {
            return [];
        }
    }

    [GeneratedRegex(@"(?<key>\b(password|pwd|passwd)\s*=\s*)(""[^""]*""|'[^']*'|[^;\s]*)", RegexOptions.IgnoreCase)]
    private static partial Regex PasswordAssignment();
}

using System.Data.Common;
using System.Text.RegularExpressions;

namespace TenantMigrations;

/// <summary>Removes secrets from connection strings and from any text that may quote one.</summary>
public static class ConnectionStringRedactor
{
    public const string Mask = "***";

    private static readonly string[] SecretKeys = ["password", "pwd", "passwd", "passfile", "sslpassword", "ssl password"];

    /// <summary>Whether a connection-string key holds a secret (Password, Pwd, SSL Password, ...).</summary>
    public static bool IsSecretKey(string key) => SecretKeys.Contains(key.Trim().ToLowerInvariant());

    public static string Redact(string? connectionString)
    {
        if (string.IsNullOrEmpty(connectionString)) return "";
        try
        {
            var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
            var keys = builder.Keys.Cast<string>().ToList();
            for (var i = 0; i < keys.Count; i++)
            {
                if (IsSecretKey(keys[i])) builder[keys[i]] = Mask;
                // A password with an unquoted ';' reads as a key ("ab;cd" in Password=x;ab;cd;Database=y) that holds its rest.
                else if (MayHoldSecretFragment(keys, i)) builder.Remove(keys[i]);
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

    /// <summary>
    /// The password values held by a connection string, so they can be masked wherever they appear. When a password
    /// holds an unquoted ';', the pieces that follow it (read as odd keys) count as secrets too.
    /// </summary>
    public static IReadOnlyList<string> SecretsOf(string? connectionString)
    {
        if (string.IsNullOrEmpty(connectionString)) return [];
        try
        {
            var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
            var keys = builder.Keys.Cast<string>().ToList();
            var secrets = new List<string>();
            for (var i = 0; i < keys.Count; i++)
            {
                var value = Convert.ToString(builder[keys[i]], System.Globalization.CultureInfo.InvariantCulture) ?? "";
                if (IsSecretKey(keys[i]))
                {
                    secrets.Add(value);
                }
                else if (MayHoldSecretFragment(keys, i))
                {
                    // The builder lowercases keys: take the fragments as the original text spells them.
                    var at = connectionString.IndexOf(keys[i], StringComparison.OrdinalIgnoreCase);
                    var original = at >= 0 ? connectionString.Substring(at, keys[i].Length) : keys[i];
                    secrets.AddRange(original.Split(';', StringSplitOptions.TrimEntries).Where(part => !IsCommonKey(part)));
                    secrets.Add(value);
                }
            }
            return secrets.Where(v => v.Length > 0).Distinct().ToList();
        }
        catch (ArgumentException)
        {
            return [];
        }
    }

    /// <summary>A key right after a secret that contains ';' or is no common keyword may be the rest of a password.</summary>
    private static bool MayHoldSecretFragment(List<string> keys, int index) =>
        keys[index].Contains(';') || (index > 0 && IsSecretKey(keys[index - 1]) && !IsCommonKey(keys[index]));

    private static readonly string[] CommonKeys =
    [
        "host", "server", "port", "database", "data source", "datasource", "initial catalog", "user id", "userid", "uid", "user",
        "username", "user name", "timeout", "connect timeout", "connection timeout", "command timeout", "default command timeout",
        "ssl mode", "sslmode", "ssl-mode", "search path", "application name", "pooling", "mode", "cache", "charset", "character set",
        "trust server certificate", "include error detail", "keepalive", "foreign keys", "default timeout", "integrated security",
        "persist security info", "allow public key retrieval", "sslca", "ssl ca", "root certificate", "ssl certificate", "ssl key",
        "maximum pool size", "minimum pool size", "max pool size", "min pool size", "target session attributes", "options",
    ];

    private static bool IsCommonKey(string key) => CommonKeys.Contains(key.Trim().ToLowerInvariant());

    // The value runs to the next ';' that starts a pair with a common key, so the rest of a password that holds an
    // unquoted ';' is masked too (at the price of masking an uncommon key that follows a password).
    private static readonly Regex PasswordAssignmentRegex = new(
        @"(?<key>\b(password|pwd|passwd)\s*=\s*)(""[^""]*""|'[^']*'|(?:[^;\s]|;(?!\s*(" + string.Join("|", CommonKeys.Select(Regex.Escape)) + @")\s*=))*)",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private static Regex PasswordAssignment() => PasswordAssignmentRegex;
}

using System.Security.Cryptography;
using System.Text;

namespace TenantMigrations.Engine.Tenants;

/// <summary>
/// A catalog column holding each tenant's password encrypted with AES-256-CBC: base64 of a 16-byte IV followed by
/// the ciphertext (PKCS7 padding), under a 32-byte key that an environment variable holds as base64 or hex.
/// The key never comes from an argument; messages name the column and the variable, never a value.
/// </summary>
public sealed class EncryptedPasswordColumn
{
    private const int KeyBytes = 32;
    private const int BlockBytes = 16;

    private readonly byte[]? key;
    private readonly string? keyProblem;

    private EncryptedPasswordColumn(string column, string keyVariable, byte[]? key, string? keyProblem)
    {
        Column = column;
        KeyVariable = keyVariable;
        this.key = key;
        this.keyProblem = keyProblem;
    }

    public string Column { get; }

    public string KeyVariable { get; }

    /// <summary>
    /// Reads the key from <paramref name="keyVariable"/>. A variable that is not set at all fails the whole call (a
    /// <see cref="TenantSourceException"/> naming it); one that holds no valid key makes every tenant Unreachable.
    /// </summary>
    public static EncryptedPasswordColumn Open(string column, string keyVariable, Func<string, string?> getEnvironmentVariable)
    {
        if (string.IsNullOrWhiteSpace(column)) throw new TenantSourceException("encrypted passwords", "name the catalog column that holds the encrypted passwords.");
        if (string.IsNullOrWhiteSpace(keyVariable)) throw new TenantSourceException("encrypted passwords", "name the environment variable that holds the key.");
        var text = getEnvironmentVariable(keyVariable);
        if (text is null) throw new TenantSourceException("encrypted passwords", $"the environment variable '{keyVariable}' is not set: it must hold the 32-byte key of column '{column}' (base64 or hex).");
        var key = ParseKey(text.Trim());
        var problem = key is null ? $"the environment variable '{keyVariable}' does not hold a 32-byte key (base64 or hex) for column '{column}'." : null;
        return new EncryptedPasswordColumn(column, keyVariable, key, problem);
    }

    /// <summary>The tenant with its decrypted password, or marked Unreachable for a reason that names the column or the variable.</summary>
    public Tenant Apply(Tenant tenant, string? cellValue)
    {
        if (keyProblem is not null) return TenantCredentials.Unavailable(tenant, keyProblem);
        var password = Decrypt(cellValue, out var problem);
        return password is null ? TenantCredentials.Unavailable(tenant, problem!) : TenantCredentials.WithPassword(tenant, password);
    }

    private string? Decrypt(string? cellValue, out string? problem)
    {
        problem = null;
        if (string.IsNullOrWhiteSpace(cellValue))
        {
            problem = $"column '{Column}' is empty.";
            return null;
        }
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(cellValue.Trim());
        }
        catch (FormatException)
        {
            problem = $"column '{Column}' is not base64.";
            return null;
        }
        if (bytes.Length < 2 * BlockBytes || bytes.Length % BlockBytes != 0)
        {
            problem = $"column '{Column}' does not hold a 16-byte IV followed by AES-256-CBC ciphertext.";
            return null;
        }
        try
        {
            using var aes = Aes.Create();
            aes.Key = key!;
            var plain = aes.DecryptCbc(bytes.AsSpan(BlockBytes), bytes.AsSpan(0, BlockBytes), PaddingMode.PKCS7);
            return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(plain);
        }
        catch (Exception ex) when (ex is CryptographicException or DecoderFallbackException)
        {
            problem = $"column '{Column}' cannot be decrypted with the key in '{KeyVariable}' (a wrong key, or a value not encrypted with it).";
            return null;
        }
    }

    private static byte[]? ParseKey(string text)
    {
        if (text.Length == 2 * KeyBytes && text.All(Uri.IsHexDigit)) return Convert.FromHexString(text);
        var buffer = new byte[KeyBytes + 3];
        return Convert.TryFromBase64String(text, buffer, out var written) && written == KeyBytes ? buffer[..KeyBytes] : null;
    }

    /// <summary>For tests and tools that write such a catalog: base64 of a random IV followed by the ciphertext.</summary>
    public static string Encrypt(string password, byte[] key)
    {
        using var aes = Aes.Create();
        aes.Key = key;
        var iv = RandomNumberGenerator.GetBytes(BlockBytes);
        var cipher = aes.EncryptCbc(Encoding.UTF8.GetBytes(password), iv, PaddingMode.PKCS7);
        return Convert.ToBase64String([.. iv, .. cipher]);
    }
}

using System.Security.Cryptography;
using System.Text;

namespace TenantMigrations.MySql.Protocol;

internal static class AuthenticationScrambles
{
    public const string NativePassword = "mysql_native_password";
    public const string CachingSha2Password = "caching_sha2_password";
    public const string ClearPassword = "mysql_clear_password";

    public static bool IsSupported(string plugin) => plugin is NativePassword or CachingSha2Password or ClearPassword;

    /// <summary>mysql_native_password: SHA1(password) XOR SHA1(nonce + SHA1(SHA1(password))).</summary>
    public static byte[] NativePasswordScramble(string password, ReadOnlySpan<byte> nonce)
    {
        if (password.Length == 0) return [];
        var passwordHash = SHA1.HashData(Encoding.UTF8.GetBytes(password));
        var doubleHash = SHA1.HashData(passwordHash);
        var salted = SHA1.HashData([.. nonce[..Math.Min(20, nonce.Length)], .. doubleHash]);
        return Xor(passwordHash, salted);
    }

    /// <summary>caching_sha2_password fast path: SHA256(password) XOR SHA256(SHA256(SHA256(password)) + nonce).</summary>
    public static byte[] CachingSha2Scramble(string password, ReadOnlySpan<byte> nonce)
    {
        if (password.Length == 0) return [];
        var passwordHash = SHA256.HashData(Encoding.UTF8.GetBytes(password));
        var doubleHash = SHA256.HashData(passwordHash);
        var salted = SHA256.HashData([.. doubleHash, .. nonce[..Math.Min(20, nonce.Length)]]);
        return Xor(passwordHash, salted);
    }

    /// <summary>Password + NUL, XOR-ed with the (repeating) nonce, encrypted with the server's RSA public key (OAEP/SHA1).</summary>
    public static byte[] RsaEncryptPassword(string password, ReadOnlySpan<byte> nonce, string publicKeyPem)
    {
        var plain = NullTerminated(password);
        for (var i = 0; i < plain.Length; i++) plain[i] ^= nonce[i % nonce.Length];
        using var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(publicKeyPem);
        }
        catch (ArgumentException ex)
        {
            throw new MySqlException("The server RSA public key could not be read: " + ex.Message, ClientErrorCodes.AuthPluginUnsupported, null, ex);
        }
        return rsa.Encrypt(plain, RSAEncryptionPadding.OaepSHA1);
    }

    public static byte[] NullTerminated(string password) => [.. Encoding.UTF8.GetBytes(password), 0];

    static byte[] Xor(byte[] left, byte[] right)
    {
        var result = new byte[left.Length];
        for (var i = 0; i < result.Length; i++) result[i] = (byte)(left[i] ^ right[i]);
        return result;
    }
}

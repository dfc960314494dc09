using System.Security.Cryptography;
using System.Text;
using TenantMigrations.MySql.Protocol;

namespace TenantMigrations.MySql.Tests;

public sealed class ScrambleTests
{
    static readonly byte[] Nonce = Enumerable.Range(1, 20).Select(i => (byte)(i * 7)).ToArray();

    [Fact]
    public void Native_password_matches_the_documented_formula_and_what_the_server_stores()
    {
        const string password = "päss word";
        var stage1 = SHA1.HashData(Encoding.UTF8.GetBytes(password));
        var stage2 = SHA1.HashData(stage1);
        var mask = SHA1.HashData(Nonce.Concat(stage2).ToArray());
        var expected = stage1.Zip(mask, (a, b) => (byte)(a ^ b)).ToArray();

        var scramble = AuthenticationScrambles.NativePasswordScramble(password, Nonce);

        Assert.Equal(expected, scramble);
        // The server checks SHA1(scramble XOR mask) == stored hash: recover stage1 from the scramble.
        var recovered = scramble.Zip(mask, (a, b) => (byte)(a ^ b)).ToArray();
        Assert.Equal(stage2, SHA1.HashData(recovered));
        Assert.Empty(AuthenticationScrambles.NativePasswordScramble("", Nonce));
    }

    [Fact]
    public void Caching_sha2_fast_path_matches_the_documented_formula()
    {
        const string password = "s3cret🔑";
        var hash1 = SHA256.HashData(Encoding.UTF8.GetBytes(password));
        var hash2 = SHA256.HashData(hash1);
        var mask = SHA256.HashData(hash2.Concat(Nonce).ToArray());
        var expected = hash1.Zip(mask, (a, b) => (byte)(a ^ b)).ToArray();

        Assert.Equal(expected, AuthenticationScrambles.CachingSha2Scramble(password, Nonce));
        Assert.Equal(32, expected.Length);
        Assert.Empty(AuthenticationScrambles.CachingSha2Scramble("", Nonce));
    }

    [Fact]
    public void Rsa_path_encrypts_password_nul_xor_nonce_with_oaep_sha1()
    {
        using var key = RSA.Create(2048);
        var publicPem = key.ExportSubjectPublicKeyInfoPem();
        const string password = "a longer password than the twenty byte nonce!";

        var encrypted = AuthenticationScrambles.RsaEncryptPassword(password, Nonce, publicPem);

        var decrypted = key.Decrypt(encrypted, RSAEncryptionPadding.OaepSHA1);
        var plain = decrypted.Select((b, i) => (byte)(b ^ Nonce[i % Nonce.Length])).ToArray();
        Assert.Equal(Encoding.UTF8.GetBytes(password + "\0"), plain);
    }

    [Fact]
    public void Rsa_path_accepts_pkcs1_public_keys_too()
    {
        using var key = RSA.Create(2048);
        var encrypted = AuthenticationScrambles.RsaEncryptPassword("pw", Nonce, key.ExportRSAPublicKeyPem());
        Assert.Equal(Encoding.UTF8.GetBytes("pw\0").Select((b, i) => (byte)(b ^ Nonce[i])).ToArray(), key.Decrypt(encrypted, RSAEncryptionPadding.OaepSHA1));
    }
}

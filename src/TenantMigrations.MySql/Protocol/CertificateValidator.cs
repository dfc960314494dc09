using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace TenantMigrations.MySql.Protocol;

internal sealed class CertificateValidator(MySqlSslMode mode, string caCertificatePath)
{
    public string? FailureReason { get; private set; }

    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (mode is MySqlSslMode.Preferred or MySqlSslMode.Required) return true;
        if (certificate is null) return Fail("the server sent no certificate");

        var chainIsTrusted = caCertificatePath.Length == 0
            ? !errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors)
            : BuildsToCustomRoot(certificate, chain);
        if (!chainIsTrusted) return FailureReason is not null ? false : Fail($"the server certificate is not trusted ({(caCertificatePath.Length == 0 ? "system trust store" : "SslCa " + caCertificatePath)})");
        if (mode == MySqlSslMode.VerifyFull && errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
            return Fail("the server certificate does not match the host name");
        return true;
    }

    bool BuildsToCustomRoot(X509Certificate certificate, X509Chain? presentedChain)
    {
        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPemFile(caCertificatePath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            FailureReason = $"cannot read SslCa '{caCertificatePath}': {ex.Message}";
            return false;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presentedChain is not null)
            foreach (var element in presentedChain.ChainElements)
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }

    bool Fail(string reason)
    {
        FailureReason = reason;
        return false;
    }
}

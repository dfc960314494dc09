using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using TenantMigrations.MySql.Protocol;
using TenantMigrations.TestSupport;

namespace TenantMigrations.MySql.Tests;

public sealed class CertificateValidatorTests : IDisposable
{
    readonly string _directory = Directory.CreateTempSubdirectory("tm-certs-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Host_name_is_checked_only_by_VerifyFull()
    {
        var files = TestCertificates.WriteServerCertificates(_directory);
        using var server = X509Certificate2.CreateFromPem(File.ReadAllText(files.ServerCertificatePath));
        // The fixture CA is not in the system store, so the platform reports chain errors; name mismatch is simulated.
        const SslPolicyErrors errors = SslPolicyErrors.RemoteCertificateChainErrors | SslPolicyErrors.RemoteCertificateNameMismatch;

        Assert.True(new CertificateValidator(MySqlSslMode.VerifyCA, files.CaCertificatePath).Validate(this, server, null, errors));
        var verifyFull = new CertificateValidator(MySqlSslMode.VerifyFull, files.CaCertificatePath);
        Assert.False(verifyFull.Validate(this, server, null, errors));
        Assert.Contains("host name", verifyFull.FailureReason);
        Assert.True(new CertificateValidator(MySqlSslMode.VerifyFull, files.CaCertificatePath).Validate(this, server, null, SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.True(new CertificateValidator(MySqlSslMode.Required, "").Validate(this, server, null, errors));
        Assert.False(new CertificateValidator(MySqlSslMode.VerifyCA, "").Validate(this, server, null, errors));
    }

    [Fact]
    public void Unreadable_CA_file_fails_with_a_reason()
    {
        var files = TestCertificates.WriteServerCertificates(_directory);
        using var server = X509Certificate2.CreateFromPem(File.ReadAllText(files.ServerCertificatePath));
        var validator = new CertificateValidator(MySqlSslMode.VerifyCA, Path.Combine(_directory, "missing.pem"));
        Assert.False(validator.Validate(this, server, null, SslPolicyErrors.None));
        Assert.Contains("missing.pem", validator.FailureReason);
    }
}

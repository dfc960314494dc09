namespace TenantMigrations.MySql;

public enum MySqlSslMode
{
    /// <summary>Never use TLS.</summary>
    None,
    /// <summary>Use TLS when the server offers it; the certificate is not validated.</summary>
    Preferred,
    /// <summary>Fail if the server does not offer TLS; the certificate is not validated.</summary>
    Required,
    /// <summary>TLS with the certificate chain validated (against SslCa when given); host name not checked.</summary>
    VerifyCA,
    /// <summary>Like VerifyCA and the certificate must also match the host name.</summary>
    VerifyFull,
}

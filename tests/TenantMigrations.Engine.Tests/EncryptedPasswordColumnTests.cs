using System.Security.Cryptography;
using TenantMigrations.Engine.Tenants;

namespace TenantMigrations.Engine.Tests;

public sealed class EncryptedPasswordColumnTests
{
    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);

    private static Tenant PostgresTenant(string name = "acme") =>
        new() { Name = name, Engine = DatabaseEngine.Postgres, ConnectionString = "Host=db;Username=acme_owner;Database=acme" };

    private static EncryptedPasswordColumn Column(string? keyText) =>
        EncryptedPasswordColumn.Open("db_password", "TM_TEST_KEY", name => name == "TM_TEST_KEY" ? keyText : null);

    [Fact]
    public void A_base64_key_decrypts_the_password_into_the_connection_string()
    {
        var tenant = Column(Convert.ToBase64String(Key)).Apply(PostgresTenant(), EncryptedPasswordColumn.Encrypt("pa;ss=wörd'1", Key));

        Assert.Null(tenant.CredentialProblem);
        Assert.Equal("pa;ss=wörd'1", new Npgsql.NpgsqlConnectionStringBuilder(tenant.GetConnectionString()).Password);
        Assert.DoesNotContain("wörd", tenant.ConnectionString);
    }

    [Fact]
    public void A_hex_key_works_as_well_and_a_mysql_tenant_gets_its_password_through_its_own_builder()
    {
        var mysql = new Tenant { Name = "m", Engine = DatabaseEngine.MySql, ConnectionString = "Server=db;User ID=m;Database=m" };

        var tenant = Column(Convert.ToHexString(Key)).Apply(mysql, EncryptedPasswordColumn.Encrypt("hex-Pw1", Key));

        Assert.Equal("hex-Pw1", new MySql.MySqlConnectionStringBuilder { ConnectionString = tenant.GetConnectionString() }.Password);
    }

    [Fact]
    public void A_value_encrypted_under_another_key_makes_the_tenant_unavailable_naming_the_column_and_the_variable()
    {
        var otherKey = RandomNumberGenerator.GetBytes(32);

        var tenant = Column(Convert.ToBase64String(Key)).Apply(PostgresTenant(), EncryptedPasswordColumn.Encrypt("Sup3r-secret", otherKey));

        Assert.NotNull(tenant.CredentialProblem);
        Assert.Contains("'db_password'", tenant.CredentialProblem);
        Assert.Contains("'TM_TEST_KEY'", tenant.CredentialProblem);
        Assert.DoesNotContain("Sup3r-secret", tenant.CredentialProblem);
        var error = Assert.Throws<TenantSecretUnavailableException>(() => Dialects.DialectRegistry.CreateDefault().For(DatabaseEngine.Postgres).CreateConnection(tenant, forWriting: false));
        Assert.Equal("acme", error.TenantName);
        Assert.StartsWith("the password is unavailable: column 'db_password'", error.Message);
    }

    [Theory]
    [InlineData("not base64!", "is not base64")]
    [InlineData("", "is empty")]
    [InlineData("AAAA", "16-byte IV")]
    public void A_cell_that_is_not_an_iv_and_ciphertext_names_the_column(string cell, string problem)
    {
        var tenant = Column(Convert.ToBase64String(Key)).Apply(PostgresTenant(), cell);

        Assert.Contains(problem, tenant.CredentialProblem);
        Assert.Contains("'db_password'", tenant.CredentialProblem);
    }

    [Theory]
    [InlineData("too-short")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA==")]
    public void A_variable_without_a_32_byte_key_makes_every_tenant_unavailable_naming_the_variable_not_its_value(string keyText)
    {
        var tenant = Column(keyText).Apply(PostgresTenant(), EncryptedPasswordColumn.Encrypt("x", Key));

        Assert.Contains("'TM_TEST_KEY' does not hold a 32-byte key", tenant.CredentialProblem);
        Assert.DoesNotContain(keyText, tenant.CredentialProblem);
    }

    [Fact]
    public void A_key_variable_that_is_not_set_fails_the_whole_call_naming_it()
    {
        var error = Assert.Throws<TenantSourceException>(() => Column(null));

        Assert.Contains("'TM_TEST_KEY' is not set", error.Message);
    }

    [Fact]
    public void A_secret_resolver_sets_the_password_or_leaves_the_tenant_unavailable_naming_the_secret()
    {
        var resolver = new DictionaryResolver(new() { [("acme-db", "prod")] = "Vault-Pw-1" });
        var named = PostgresTenant();
        named.Properties[TenantSecrets.NameProperty] = "acme-db";
        named.Properties[TenantSecrets.VaultProperty] = "prod";
        var missing = PostgresTenant("globex");
        missing.Properties[TenantSecrets.NameProperty] = "globex-db";

        var resolved = TenantSecrets.Resolve(named, resolver);
        var unresolved = TenantSecrets.Resolve(missing, resolver);
        var plain = TenantSecrets.Resolve(PostgresTenant("plain"), resolver);

        Assert.Equal("Vault-Pw-1", new Npgsql.NpgsqlConnectionStringBuilder(resolved.GetConnectionString()).Password);
        Assert.Null(resolved.CredentialProblem);
        Assert.Equal("secret 'globex-db' was not found.", unresolved.CredentialProblem);
        Assert.Null(plain.CredentialProblem);
    }

    /// <summary>An xunit stand-in for a vault: a dictionary of (name, vault) to value.</summary>
    public sealed class DictionaryResolver(Dictionary<(string, string?), string> secrets) : ISecretResolver
    {
        public List<(string Name, string? Vault)> Calls { get; } = [];

        public SecretLookup Resolve(string secretName, string? vault)
        {
            Calls.Add((secretName, vault));
            return secrets.TryGetValue((secretName, vault), out var value)
                ? SecretLookup.Found(value)
                : SecretLookup.Unavailable($"secret '{secretName}' was not found.");
        }
    }
}

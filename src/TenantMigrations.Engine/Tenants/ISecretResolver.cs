namespace TenantMigrations.Engine.Tenants;

/// <summary>
/// Looks up a tenant's password by the secret name its row gives (secretName, optional secretVault). PowerShell
/// resolves through SecretManagement's Get-Secret; the engine only calls this, on the thread that owns the input.
/// </summary>
public interface ISecretResolver
{
    SecretLookup Resolve(string secretName, string? vault);
}

/// <summary>The secret's value, or why it could not be had (naming the secret and vault, never a value).</summary>
public sealed record SecretLookup(string? Value, string? Problem)
{
    public static SecretLookup Found(string value) => new(value, null);

    public static SecretLookup Unavailable(string problem) => new(null, problem);
}

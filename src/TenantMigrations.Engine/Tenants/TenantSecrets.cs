namespace TenantMigrations.Engine.Tenants;

/// <summary>
/// Applies the secret a tenant row names (properties secretName and secretVault) as the tenant's password. A secret
/// that cannot be resolved leaves the tenant Unreachable with a reason naming the secret; the value is never kept
/// anywhere but in the tenant's connection string.
/// </summary>
public static class TenantSecrets
{
    public const string NameProperty = "secretName";
    public const string VaultProperty = "secretVault";

    public static bool NamesSecret(Tenant tenant) =>
        tenant.Properties.TryGetValue(NameProperty, out var name) && !string.IsNullOrWhiteSpace(name);

    /// <summary>The tenant with its secret applied; a tenant that names no secret is returned as it is.</summary>
    public static Tenant Resolve(Tenant tenant, ISecretResolver resolver)
    {
        if (!NamesSecret(tenant)) return tenant;
        var name = tenant.Properties[NameProperty].Trim();
        var vault = tenant.Properties.TryGetValue(VaultProperty, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;
        var described = vault is null ? $"secret '{name}'" : $"secret '{name}' in vault '{vault}'";
        SecretLookup lookup;
        try
        {
            lookup = resolver.Resolve(name, vault);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The resolver's exception may quote what it read: only its type is shown.
            lookup = SecretLookup.Unavailable($"{described} could not be read ({ex.GetType().Name}).");
        }
        if (lookup.Value is { Length: > 0 } value) return TenantCredentials.WithPassword(tenant, value);
        return TenantCredentials.Unavailable(tenant, lookup.Problem ?? $"{described} is empty.");
    }

    /// <summary>For fronts that cannot reach a secret store (the CLI): every tenant naming a secret is Unreachable, saying why.</summary>
    public sealed class Unsupported(string why) : ISecretResolver
    {
        public SecretLookup Resolve(string secretName, string? vault) =>
            SecretLookup.Unavailable($"secret '{secretName}'{(vault is null ? "" : $" in vault '{vault}'")} cannot be resolved: {why}");
    }
}

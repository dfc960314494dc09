using Npgsql;
using TenantMigrations.MySql;

namespace TenantMigrations.Engine.Tenants;

/// <summary>Sets a tenant's password, or marks the tenant as one whose password could not be resolved.</summary>
public static class TenantCredentials
{
    /// <summary>A copy of the tenant whose connection string carries the password, set through its engine's builder.</summary>
    public static Tenant WithPassword(Tenant tenant, string password)
    {
        if (tenant.Engine == DatabaseEngine.Sqlite) return Unavailable(tenant, "a SQLite tenant is a file and takes no password.");
        var copy = tenant.Clone();
        copy.ConnectionString = tenant.Engine switch
        {
            DatabaseEngine.Postgres => new NpgsqlConnectionStringBuilder(tenant.GetConnectionString()) { Password = password }.ConnectionString,
            _ => new MySqlConnectionStringBuilder { ConnectionString = tenant.GetConnectionString(), Password = password }.ConnectionString,
        };
        copy.CredentialProblem = null;
        return copy;
    }

    /// <summary>A copy of the tenant that every connection refuses, for <paramref name="problem"/> (which never holds a secret).</summary>
    public static Tenant Unavailable(Tenant tenant, string problem)
    {
        var copy = tenant.Clone();
        copy.CredentialProblem = problem;
        return copy;
    }

    /// <summary>Called by the dialects before they connect: a tenant without its password never reaches the server.</summary>
    public static void ThrowIfUnavailable(Tenant tenant)
    {
        if (tenant.CredentialProblem is { } problem) throw new TenantSecretUnavailableException(tenant.Name, problem);
    }
}

/// <summary>The tenant's password could not be resolved: the tenant is Unreachable, for a reason that names the secret, never its value.</summary>
public sealed class TenantSecretUnavailableException(string tenantName, string problem)
    : Exception($"the password is unavailable: {problem}")
{
    public string TenantName { get; } = tenantName;
}

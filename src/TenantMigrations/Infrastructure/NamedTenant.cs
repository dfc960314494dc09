using System.Collections;
using System.Management.Automation;
using TenantMigrations.Engine;
using TenantMigrations.Engine.Commands;

namespace TenantMigrations.Commands;

/// <summary>One tenant from the -Name, -ConnectionString, ... parameters that New-TenantObject and New-Tenant share.</summary>
internal static class NamedTenant
{
    /// <summary>Throws TenantSourceException naming what is wrong.</summary>
    public static Tenant Create(string name, DatabaseEngine engine, string connectionString, string? schema, string[]? tags, Hashtable? properties, PSCredential? credential, string currentFolder) =>
        TenantInput.Create(
            name,
            engine,
            connectionString,
            schema,
            tags ?? [],
            properties?.Keys.Cast<object>().ToDictionary(k => k.ToString() ?? "", k => properties[k]?.ToString() ?? "", StringComparer.OrdinalIgnoreCase) ?? [],
            credential?.UserName,
            credential?.GetNetworkCredential().Password,
            currentFolder);
}

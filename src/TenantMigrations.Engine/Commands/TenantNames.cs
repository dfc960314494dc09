namespace TenantMigrations.Engine.Commands;

/// <summary>A tenant named by a plain string (-Tenant acme, -From acme): found in the tenants file of the current folder.</summary>
public static class TenantNames
{
    public static Tenant Find(string name, string currentFolder, string parameter)
    {
        var tenants = MigrationFolders.DefaultTenants(currentFolder);
        return tenants.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw CommandErrorIds.Terminating(CommandErrorIds.TenantNotFound,
                $"{parameter} '{name}': no tenant of that name in the tenants file of {currentFolder}. Pass a tenant object (Get-Tenant ... | Where-Object Name -eq '{name}') or run where the tenants file lists it.", name);
    }
}

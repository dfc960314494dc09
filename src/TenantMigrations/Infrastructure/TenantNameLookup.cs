using System.Management.Automation;
using TenantMigrations.Engine.Commands;

namespace TenantMigrations.Commands;

/// <summary>
/// The tenant transformation marks a plain string as "not a tenant". The history cmdlets take a name too: such a
/// string is looked up in the current folder's tenants file.
/// </summary>
internal static class TenantNameLookup
{
    public static Tenant Resolve(Tenant tenant, string currentFolder, string parameter)
    {
        var input = tenant.Input is PSObject wrapped ? wrapped.BaseObject : tenant.Input;
        return tenant.InputProblem is not null && input is string name && !string.IsNullOrWhiteSpace(name)
            ? TenantNames.Find(name, currentFolder, parameter)
            : tenant;
    }
}

using TenantMigrations.HelpGenerator;

namespace TenantMigrations.Module.Tests.Support;

/// <summary>The cmdlets of the built module, read once with MetadataLoadContext (nothing of it is executed).</summary>
public static class CmdletContract
{
    private static readonly Lazy<IReadOnlyList<CmdletInfo>> Cmdlets = new(() => CmdletMetadataReader.Read(ModuleLayout.CmdletAssembly, [ModuleLayout.PowerShellReference]));

    public static IReadOnlyList<CmdletInfo> All => Cmdlets.Value;

    public static CmdletInfo Get(string name) => All.Single(c => c.Name == name);

    public static CmdletParameter Parameter(string cmdlet, string parameter) => Get(cmdlet).Parameters.Single(p => p.Name == parameter);
}

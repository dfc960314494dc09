using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;

namespace TenantMigrations.Loading;

/// <summary>
/// Runs when the module is imported: from then on, when the cmdlets first touch the engine, the default context's
/// Resolving event hands TenantMigrations.Engine over to the module's own <see cref="DependencyLoadContext"/>,
/// and the engine's dependencies follow it there.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    public const string DependencyFolderName = "Dependencies";

    // One per process on purpose: assemblies cannot be unloaded from a non-collectible context, so every import of the
    // module in this process (every Azure Automation job, every runspace) must reuse the same context.
    private static readonly Lazy<DependencyLoadContext> SharedContext = new(() => new DependencyLoadContext(DependencyFolder(typeof(ModuleInitializer).Assembly)));

    public void OnImport()
    {
        AssemblyLoadContext.Default.Resolving -= ResolveEngine;
        AssemblyLoadContext.Default.Resolving += ResolveEngine;
    }

    public void OnRemove(PSModuleInfo psModuleInfo) => AssemblyLoadContext.Default.Resolving -= ResolveEngine;

    public static string DependencyFolder(Assembly moduleAssembly) =>
        Path.Combine(Path.GetDirectoryName(moduleAssembly.Location) ?? AppContext.BaseDirectory, DependencyFolderName);

    /// <summary>Only the engine is handed over, and only when the module itself asks for it; everything else is not ours to resolve.</summary>
    private static Assembly? ResolveEngine(AssemblyLoadContext context, AssemblyName name) =>
        ModuleAssemblyResolver.Resolve(name, SharedContext);
}

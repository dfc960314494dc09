using System.Reflection;

namespace TenantMigrations.Loading;

/// <summary>The decision of the default context's Resolving handler, kept free of PowerShell so it can be tested.</summary>
public static class ModuleAssemblyResolver
{
    public static Assembly? Resolve(AssemblyName name, Lazy<DependencyLoadContext> context)
    {
        if (!string.Equals(name.Name, DependencyLoadContext.EngineAssemblyName, StringComparison.OrdinalIgnoreCase)) return null;
        if (!File.Exists(Path.Combine(context.Value.DependencyFolder, DependencyLoadContext.EngineAssemblyName + ".dll"))) return null;
        return context.Value.LoadFromAssemblyName(name);
    }
}

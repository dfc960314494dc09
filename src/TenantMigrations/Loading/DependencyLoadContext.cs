using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace TenantMigrations.Loading;

/// <summary>
/// The load context of the engine and everything it depends on (Npgsql, Microsoft.Data.Sqlite, SQLitePCLRaw, Polly...),
/// read from the module's Dependencies folder. Another module's copy of those assemblies in the default context no
/// longer matters. The public model (TenantMigrations.Model) is shared with the default context, so the objects
/// the cmdlets return are the types PowerShell and users see.
/// </summary>
public sealed class DependencyLoadContext : AssemblyLoadContext
{
    public const string EngineAssemblyName = "TenantMigrations.Engine";

    /// <summary>Assemblies both sides must see as the same types: they always come from the default context.</summary>
    public static readonly IReadOnlySet<string> SharedAssemblies = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "TenantMigrations.Model",
        "TenantMigrations",
        "System.Management.Automation",
    };

    public DependencyLoadContext(string dependencyFolder)
        : base($"TenantMigrations ({dependencyFolder})", isCollectible: false)
    {
        DependencyFolder = dependencyFolder;
    }

    public string DependencyFolder { get; }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (assemblyName.Name is null) return null;
        if (SharedAssemblies.Contains(assemblyName.Name)) return FromDefaultContext(assemblyName.Name);
        var path = Path.Combine(DependencyFolder, assemblyName.Name + ".dll");
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }

    /// <summary>The default context's copy of a shared assembly: the one already loaded, else the one in the module folder.</summary>
    private Assembly? FromDefaultContext(string name)
    {
        var loaded = Default.Assemblies.FirstOrDefault(a => string.Equals(a.GetName().Name, name, StringComparison.OrdinalIgnoreCase));
        if (loaded is not null) return loaded;
        var moduleFolder = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(DependencyFolder));
        var path = moduleFolder is null ? null : Path.Combine(moduleFolder, name + ".dll");
        return path is not null && File.Exists(path) ? Default.LoadFromAssemblyPath(path) : null;
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        foreach (var candidate in NativeLibraryCandidates(DependencyFolder, unmanagedDllName))
        {
            if (File.Exists(candidate)) return LoadUnmanagedDllFromPath(candidate);
        }
        return IntPtr.Zero;
    }

    /// <summary>Where a native library such as e_sqlite3 may sit: runtimes/&lt;rid&gt;/native, most specific rid first, then the folder itself.</summary>
    public static IEnumerable<string> NativeLibraryCandidates(string dependencyFolder, string libraryName)
    {
        var fileNames = NativeFileNames(libraryName).ToList();
        foreach (var rid in RuntimeIdentifiers())
        {
            foreach (var fileName in fileNames) yield return Path.Combine(dependencyFolder, "runtimes", rid, "native", fileName);
        }
        foreach (var fileName in fileNames) yield return Path.Combine(dependencyFolder, fileName);
    }

    private static IEnumerable<string> NativeFileNames(string libraryName)
    {
        if (Path.HasExtension(libraryName) && !libraryName.EndsWith(".1", StringComparison.Ordinal)) yield return libraryName;
        if (OperatingSystem.IsWindows())
        {
            yield return libraryName + ".dll";
        }
        else if (OperatingSystem.IsMacOS())
        {
            yield return "lib" + libraryName + ".dylib";
            yield return libraryName + ".dylib";
        }
        else
        {
            yield return "lib" + libraryName + ".so";
            yield return libraryName + ".so";
        }
    }

    private static IEnumerable<string> RuntimeIdentifiers()
    {
        var architecture = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        var os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var identifiers = new List<string> { RuntimeInformation.RuntimeIdentifier };
        if (os == "linux" && IsMusl()) identifiers.Add($"linux-musl-{architecture}");
        identifiers.Add($"{os}-{architecture}");
        if (os == "osx") identifiers.Add("osx");
        return identifiers.Where(seen.Add);
    }

    private static bool IsMusl() => File.Exists("/lib/ld-musl-x86_64.so.1") || File.Exists("/lib/ld-musl-aarch64.so.1");
}

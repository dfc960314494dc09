namespace TenantMigrations.Module.Tests.Support;

/// <summary>Where the repository and the built module layout are.</summary>
public static class ModuleLayout
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string Folder => Path.Combine(RepoRoot, "out", "TenantMigrations");

    public static string CmdletAssembly => Path.Combine(Folder, "TenantMigrations.dll");

    public static string Dependencies => Path.Combine(Folder, "Dependencies");

    public static string HelpFile => Path.Combine(Folder, "en-US", "TenantMigrations.dll-Help.xml");

    public static string RootManifest => Path.Combine(RepoRoot, "TenantMigrations.psd1");

    public static string PowerShellReference { get; } = FindPowerShellReference();

    private static string FindRepoRoot()
    {
        for (var folder = AppContext.BaseDirectory; folder is not null; folder = Path.GetDirectoryName(folder))
        {
            if (File.Exists(Path.Combine(folder, "TenantMigrations.sln"))) return folder;
        }
        throw new InvalidOperationException("TenantMigrations.sln not found above " + AppContext.BaseDirectory);
    }

    private static string FindPowerShellReference()
    {
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        return Path.Combine(packages, "powershellstandard.library", "5.1.0-preview-06", "lib", "netstandard2.0", "System.Management.Automation.dll");
    }
}

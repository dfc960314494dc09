using System.Text.RegularExpressions;
using System.Xml.Linq;
using TenantMigrations.Module.Tests.Support;

namespace TenantMigrations.Module.Tests;

/// <summary>TenantMigrations.psd1 at the repo root and the manifest the build writes into the module layout.</summary>
public sealed partial class ManifestTests
{
    private static readonly string Manifest = File.ReadAllText(ModuleLayout.RootManifest);

    [Fact]
    public void ModuleVersion_is_the_Version_of_Directory_Build_props()
    {
        var props = XDocument.Load(Path.Combine(ModuleLayout.RepoRoot, "Directory.Build.props"));
        var version = props.Descendants("Version").Single().Value;
        Assert.Equal(version, Value("ModuleVersion"));
    }

    [Fact]
    public void CmdletsToExport_lists_exactly_the_cmdlets_in_the_dll()
    {
        var block = CmdletsBlock().Match(Manifest);
        Assert.True(block.Success, "CmdletsToExport = @( ... ) not found.");
        var exported = QuotedString().Matches(block.Groups["list"].Value).Select(m => m.Groups["value"].Value).Order(StringComparer.Ordinal);
        Assert.Equal(CmdletContract.All.Select(c => c.Name).Order(StringComparer.Ordinal), exported);
    }

    [Fact]
    public void The_manifest_has_the_required_keys()
    {
        Assert.True(Guid.TryParse(Value("GUID"), out _));
        Assert.Equal("out/TenantMigrations/TenantMigrations.dll", Value("RootModule"));
        Assert.Matches(@"CompatiblePSEditions\s*=\s*@\('Core'\)", Manifest);
        Assert.Equal("7.4", Value("PowerShellVersion"));
        foreach (var key in new[] { "Tags", "ProjectUri", "LicenseUri", "ReleaseNotes" }) Assert.Matches(key + @"\s*=", Manifest);
        Assert.Matches(@"FunctionsToExport\s*=\s*@\(\)", Manifest);
        Assert.Matches(@"AliasesToExport\s*=\s*@\(\)", Manifest);
    }

    [Fact]
    public void Every_file_the_root_manifest_names_exists_after_the_build()
    {
        var files = FileReferences().Matches(Manifest).Select(m => m.Groups["path"].Value).ToList();
        Assert.Contains("out/TenantMigrations/TenantMigrations.Format.ps1xml", files);
        Assert.Contains("out/TenantMigrations/TenantMigrations.Types.ps1xml", files);
        Assert.All(files, f => Assert.True(File.Exists(Path.Combine(ModuleLayout.RepoRoot, f)), f));
    }

    [Fact]
    public void The_layout_manifest_is_the_root_one_rebased_onto_the_layout_folder()
    {
        var layoutManifest = File.ReadAllText(Path.Combine(ModuleLayout.Folder, "TenantMigrations.psd1"));
        Assert.Equal(Manifest.Replace("out/TenantMigrations/", "", StringComparison.Ordinal), layoutManifest);
        var files = FileReferences().Matches(layoutManifest).Select(m => m.Groups["path"].Value).ToList();
        Assert.NotEmpty(files);
        Assert.All(files, f => Assert.True(File.Exists(Path.Combine(ModuleLayout.Folder, f)), f));
    }

    [Fact]
    public void The_engine_and_its_dependencies_live_in_Dependencies_and_the_model_beside_the_cmdlets()
    {
        Assert.True(File.Exists(Path.Combine(ModuleLayout.Folder, "TenantMigrations.Model.dll")));
        foreach (var dependency in new[] { "TenantMigrations.Engine.dll", "Npgsql.dll", "Microsoft.Data.Sqlite.dll", "Polly.Core.dll" })
        {
            Assert.True(File.Exists(Path.Combine(ModuleLayout.Dependencies, dependency)), dependency);
            Assert.False(File.Exists(Path.Combine(ModuleLayout.Folder, dependency)), $"{dependency} must not sit beside the cmdlets, where the default context could pick it up.");
        }
        Assert.False(File.Exists(Path.Combine(ModuleLayout.Dependencies, "TenantMigrations.Model.dll")));
        Assert.False(File.Exists(Path.Combine(ModuleLayout.Folder, "System.Management.Automation.dll")));
        Assert.False(File.Exists(Path.Combine(ModuleLayout.Dependencies, "System.Management.Automation.dll")));
    }

    private static string Value(string key)
    {
        var match = Regex.Match(Manifest, @"^\s*" + key + @"\s*=\s*'(?<value>[^']*)'", RegexOptions.Multiline);
        Assert.True(match.Success, $"{key} not found in the manifest.");
        return match.Groups["value"].Value;
    }

    [GeneratedRegex(@"CmdletsToExport\s*=\s*@\((?<list>[^)]*)\)")]
    private static partial Regex CmdletsBlock();

    [GeneratedRegex(@"'(?<value>[^']+)'")]
    private static partial Regex QuotedString();

    [GeneratedRegex(@"'(?<path>[^']+\.(dll|ps1xml))'")]
    private static partial Regex FileReferences();
}

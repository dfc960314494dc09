using TenantMigrations.HelpGenerator;

// Turns docs/help/<Cmdlet>.md into the MAML help of the cmdlet assembly, and fails the build when a cmdlet, a
// parameter, a synopsis, a description or two examples are missing, so help cannot fall behind the code.
var options = ParseArguments(args);
if (!options.TryGetValue("assembly", out var assemblyPath) || !options.TryGetValue("docs", out var docsFolder) || !options.TryGetValue("output", out var outputPath))
{
    Console.Error.WriteLine("usage: TenantMigrations.HelpGenerator --assembly <TenantMigrations.dll> --docs <docs/help> --output <en-US/TenantMigrations.dll-Help.xml> [--reference <System.Management.Automation.dll>] [--manifest <TenantMigrations.psd1> --manifest-output <layout/TenantMigrations.psd1>]");
    return 2;
}
var references = options.TryGetValue("reference", out var reference) ? new[] { reference } : [];
var cmdlets = CmdletMetadataReader.Read(assemblyPath, references);
var (commands, problems) = HelpCatalog.Match(cmdlets, docsFolder);
// "<file>: error <code>: <text>" is the canonical form MSBuild turns into a build error that names the file.
foreach (var problem in problems)
{
    var separator = problem.IndexOf(".md: ", StringComparison.Ordinal);
    Console.Error.WriteLine(separator < 0 ? $"error TMHELP: {problem}" : $"{problem[..(separator + 3)]}: error TMHELP: {problem[(separator + 5)..]}");
}
if (problems.Count > 0) return 1;
if (options.TryGetValue("manifest", out var manifest) && options.TryGetValue("manifest-output", out var manifestOutput))
{
    // The layout's manifest is the repo-root one with its paths rebased onto the layout folder.
    File.WriteAllText(manifestOutput, File.ReadAllText(manifest).Replace("out/TenantMigrations/", "", StringComparison.Ordinal));
}
Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outputPath))!);
MamlWriter.Write(commands).Save(outputPath);
Console.WriteLine($"Help for {commands.Count} cmdlets written to {outputPath}");
return 0;

static Dictionary<string, string> ParseArguments(string[] args)
{
    var options = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
    for (var i = 0; i + 1 < args.Length; i += 2) options[args[i].TrimStart('-')] = args[i + 1];
    return options;
}

namespace TenantMigrations.HelpGenerator;

/// <summary>Pairs each cmdlet with its markdown and lists everything the help is missing.</summary>
public static class HelpCatalog
{
    public const int MinimumExamples = 2;

    public static (IReadOnlyList<(CmdletInfo Cmdlet, CommandHelp Help)> Commands, IReadOnlyList<string> Problems) Match(IReadOnlyList<CmdletInfo> cmdlets, string docsFolder)
    {
        var problems = new List<string>();
        var commands = new List<(CmdletInfo, CommandHelp)>();
        foreach (var cmdlet in cmdlets)
        {
            var path = Path.Combine(docsFolder, cmdlet.Name + ".md");
            if (!File.Exists(path))
            {
                problems.Add($"{path}: {cmdlet.Name} has no help: write this file.");
                continue;
            }
            var help = HelpMarkdown.Parse(path);
            problems.AddRange(Check(cmdlet, help).Select(p => $"{path}: {p}"));
            commands.Add((cmdlet, help));
        }
        return (commands, problems);
    }

    public static IEnumerable<string> Check(CmdletInfo cmdlet, CommandHelp help)
    {
        if (!string.Equals(help.Name, cmdlet.Name, StringComparison.Ordinal)) yield return $"the title is '{help.Name}', expected '{cmdlet.Name}'.";
        if (help.Synopsis.Count == 0) yield return "the SYNOPSIS is empty.";
        if (help.Description.Count == 0) yield return "the DESCRIPTION is empty.";
        if (help.Examples.Count < MinimumExamples) yield return $"{help.Examples.Count} example(s); at least {MinimumExamples} are required.";
        foreach (var example in help.Examples.Where(e => string.IsNullOrWhiteSpace(e.Code))) yield return $"'{example.Title}' has no code block.";
        foreach (var parameter in cmdlet.Parameters)
        {
            if (!help.Parameters.TryGetValue(parameter.Name, out var text) || text.Count == 0) yield return $"parameter -{parameter.Name} is not described.";
        }
        var known = cmdlet.Parameters.Select(p => p.Name).Concat(cmdlet.SupportsShouldProcess ? ["WhatIf", "Confirm"] : []).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var documented in help.Parameters.Keys.Where(k => !known.Contains(k))) yield return $"documents -{documented}, which {cmdlet.Name} does not have.";
    }
}

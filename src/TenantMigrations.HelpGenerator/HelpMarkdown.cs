namespace TenantMigrations.HelpGenerator;

public sealed record HelpExample(string Title, string Code, IReadOnlyList<string> Remarks);

public sealed record HelpTypeNote(string TypeName, IReadOnlyList<string> Description);

public sealed class CommandHelp
{
    public required string Name { get; init; }

    public string SourcePath { get; init; } = "";

    public List<string> Synopsis { get; } = [];

    public List<string> Description { get; } = [];

    public List<HelpExample> Examples { get; } = [];

    public Dictionary<string, List<string>> Parameters { get; } = new(StringComparer.OrdinalIgnoreCase);

    public List<HelpTypeNote> Inputs { get; } = [];

    public List<HelpTypeNote> Outputs { get; } = [];

    public List<string> Notes { get; } = [];

    public List<string> RelatedLinks { get; } = [];
}

/// <summary>
/// Reads the help markdown of one cmdlet, in the layout platyPS uses: "# Name", then "## SYNOPSIS", "## DESCRIPTION",
/// "## EXAMPLES" with "### Example n: title" and a fenced code block, "## PARAMETERS" with "### -Name",
/// "## INPUTS", "## OUTPUTS" with "### TypeName", "## NOTES" and "## RELATED LINKS".
/// </summary>
public static class HelpMarkdown
{
    public static CommandHelp Parse(string path) => Parse(File.ReadAllText(path), path);

    public static CommandHelp Parse(string text, string sourcePath)
    {
        var lines = text.Replace("\r\n", "\n").Split('\n');
        var title = lines.FirstOrDefault(l => l.StartsWith("# ", StringComparison.Ordinal)) ?? throw new FormatException($"{sourcePath}: the first heading must be '# <Cmdlet-Name>'.");
        var help = new CommandHelp { Name = title[2..].Trim(), SourcePath = sourcePath };
        string? section = null;
        string? subsection = null;
        var block = new List<string>();
        var inCode = false;
        var code = new List<string>();
        string? exampleCode = null;

        void FlushBlock()
        {
            var paragraphs = Paragraphs(block);
            block.Clear();
            switch (section)
            {
                case "SYNOPSIS": help.Synopsis.AddRange(paragraphs); break;
                case "DESCRIPTION": help.Description.AddRange(paragraphs); break;
                case "NOTES": help.Notes.AddRange(paragraphs); break;
                case "RELATED LINKS":
                    help.RelatedLinks.AddRange(paragraphs.SelectMany(p => p.Split('\n')).Select(LinkText).Where(l => l.Length > 0));
                    break;
                case "PARAMETERS" when subsection is not null:
                    help.Parameters[subsection.TrimStart('-')] = paragraphs;
                    break;
                case "INPUTS" when subsection is not null:
                    help.Inputs.Add(new HelpTypeNote(subsection, paragraphs));
                    break;
                case "OUTPUTS" when subsection is not null:
                    help.Outputs.Add(new HelpTypeNote(subsection, paragraphs));
                    break;
                case "EXAMPLES" when subsection is not null:
                    help.Examples.Add(new HelpExample(subsection, exampleCode ?? "", paragraphs));
                    exampleCode = null;
                    break;
            }
        }

        foreach (var line in lines.SkipWhile(l => l != title).Skip(1))
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                if (inCode)
                {
                    inCode = false;
                    if (section == "EXAMPLES") exampleCode = string.Join("\n", code);
                    else block.AddRange(code.Select(c => "    " + c));
                }
                else
                {
                    inCode = true;
                    code.Clear();
                }
                continue;
            }
            if (inCode)
            {
                code.Add(line);
                continue;
            }
            if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                FlushBlock();
                section = line[3..].Trim().ToUpperInvariant();
                subsection = null;
                continue;
            }
            if (line.StartsWith("### ", StringComparison.Ordinal))
            {
                FlushBlock();
                subsection = line[4..].Trim();
                continue;
            }
            block.Add(line);
        }
        FlushBlock();
        return help;
    }

    /// <summary>Blank-line separated paragraphs; lines inside one paragraph are joined, indented code keeps its lines.</summary>
    private static List<string> Paragraphs(List<string> lines)
    {
        var paragraphs = new List<string>();
        var current = new List<string>();
        foreach (var line in lines.Append(""))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                if (current.Count > 0) paragraphs.Add(current.All(l => l.StartsWith("    ", StringComparison.Ordinal)) ? string.Join("\n", current) : string.Join(" ", current.Select(l => l.Trim())));
                current.Clear();
                continue;
            }
            current.Add(line);
        }
        return paragraphs;
    }

    private static string LinkText(string line)
    {
        var text = line.Trim().TrimStart('-', '*').Trim();
        if (text.StartsWith('[') && text.IndexOf(']') is > 0 and var end) return text[1..end];
        return text;
    }
}

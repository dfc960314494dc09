using System.Xml.Linq;

namespace TenantMigrations.HelpGenerator;

/// <summary>Writes the MAML file Get-Help reads for binary cmdlets (&lt;Assembly&gt;.dll-Help.xml).</summary>
public static class MamlWriter
{
    private static readonly XNamespace Msh = "http://msh";
    private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

    private static readonly Dictionary<string, string> ShouldProcessParameters = new(StringComparer.OrdinalIgnoreCase)
    {
        ["WhatIf"] = "Shows what would happen if the cmdlet runs. The cmdlet is not run.",
        ["Confirm"] = "Prompts you for confirmation before running the cmdlet.",
    };

    public static XDocument Write(IReadOnlyList<(CmdletInfo Cmdlet, CommandHelp Help)> commands) =>
        new(new XDeclaration("1.0", "utf-8", null),
            new XElement(Msh + "helpItems", new XAttribute("schema", "maml"),
                commands.Select(c => CommandElement(c.Cmdlet, c.Help))));

    private static XElement CommandElement(CmdletInfo cmdlet, CommandHelp help)
    {
        var parameters = AllParameters(cmdlet).ToList();
        return new XElement(Command + "command",
            new XAttribute(XNamespace.Xmlns + "maml", Maml),
            new XAttribute(XNamespace.Xmlns + "command", Command),
            new XAttribute(XNamespace.Xmlns + "dev", Dev),
            new XElement(Command + "details",
                new XElement(Command + "name", cmdlet.Name),
                new XElement(Command + "verb", cmdlet.Verb),
                new XElement(Command + "noun", cmdlet.Noun),
                Description(help.Synopsis)),
            Description(help.Description),
            new XElement(Command + "syntax",
                cmdlet.ParameterSetNames.Select(set => new XElement(Command + "syntaxItem",
                    new XElement(Maml + "name", cmdlet.Name),
                    cmdlet.ParametersOf(set)
                        .OrderBy(p => p.Binding.Position ?? int.MaxValue)
                        .Select(p => ParameterElement(p.Parameter, p.Binding, help))
                        .Concat(ShouldProcessElements(cmdlet, help))))),
            new XElement(Command + "parameters",
                parameters.Select(p => ParameterElement(p.Parameter, p.Binding, help)).Concat(ShouldProcessElements(cmdlet, help))),
            new XElement(Command + "inputTypes", help.Inputs.Select(i => TypeNote(Command + "inputType", i))),
            new XElement(Command + "returnValues", help.Outputs.Select(o => TypeNote(Command + "returnValue", o))),
            new XElement(Maml + "alertSet", new XElement(Maml + "alert", Paragraphs(help.Notes))),
            new XElement(Command + "examples", help.Examples.Select((e, i) => new XElement(Command + "example",
                new XElement(Maml + "title", $"-------------------------- {e.Title} --------------------------"),
                new XElement(Dev + "code", e.Code),
                new XElement(Dev + "remarks", Paragraphs(e.Remarks))))),
            new XElement(Command + "relatedLinks", OnlineLink(cmdlet), help.RelatedLinks.Select(l => new XElement(Maml + "navigationLink",
                new XElement(Maml + "linkText", l),
                new XElement(Maml + "uri", l.StartsWith("http", StringComparison.OrdinalIgnoreCase) ? l : "")))));
    }

    /// <summary>Get-Help -Online opens the first related link that is a URI: the cmdlet's HelpUri.</summary>
    private static XElement? OnlineLink(CmdletInfo cmdlet) => cmdlet.HelpUri is null
        ? null
        : new XElement(Maml + "navigationLink", new XElement(Maml + "linkText", "Online Version:"), new XElement(Maml + "uri", cmdlet.HelpUri));

    /// <summary>Each parameter once, with the binding of its first parameter set (what Get-Help -Parameter shows).</summary>
    private static IEnumerable<(CmdletParameter Parameter, ParameterSetBinding Binding)> AllParameters(CmdletInfo cmdlet) =>
        cmdlet.Parameters.Select(p => (p, p.Sets[0]));

    private static IEnumerable<XElement> ShouldProcessElements(CmdletInfo cmdlet, CommandHelp help) =>
        cmdlet.SupportsShouldProcess
            ? ShouldProcessParameters.Select(p => ParameterElement(
                new CmdletParameter(p.Key, "SwitchParameter", true, p.Key == "WhatIf" ? ["wi"] : ["cf"], false, []),
                new ParameterSetBinding(CmdletInfo.AllParameterSets, false, null, false, false),
                help,
                p.Value))
            : [];

    private static XElement ParameterElement(CmdletParameter parameter, ParameterSetBinding binding, CommandHelp help, string? fallback = null)
    {
        var description = help.Parameters.TryGetValue(parameter.Name, out var text) ? text : fallback is null ? [] : [fallback];
        var pipeline = (binding.ValueFromPipeline, binding.ValueFromPipelineByPropertyName) switch
        {
            (true, true) => "True (ByValue, ByPropertyName)",
            (true, false) => "True (ByValue)",
            (false, true) => "True (ByPropertyName)",
            _ => "False",
        };
        return new XElement(Command + "parameter",
            new XAttribute("required", binding.Mandatory ? "true" : "false"),
            new XAttribute("variableLength", parameter.TypeName.EndsWith("[]", StringComparison.Ordinal) ? "true" : "false"),
            new XAttribute("globbing", parameter.SupportsWildcards ? "true" : "false"),
            new XAttribute("pipelineInput", pipeline),
            new XAttribute("position", binding.Position?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "named"),
            new XAttribute("aliases", parameter.Aliases.Count == 0 ? "none" : string.Join(", ", parameter.Aliases)),
            new XElement(Maml + "name", parameter.Name),
            Description(description),
            parameter.IsSwitch ? null : new XElement(Command + "parameterValue", new XAttribute("required", "true"), new XAttribute("variableLength", "false"), parameter.TypeName),
            new XElement(Dev + "type", new XElement(Maml + "name", parameter.TypeName), new XElement(Maml + "uri")),
            new XElement(Dev + "defaultValue", parameter.DefaultValue ?? (parameter.IsSwitch ? "False" : "None")));
    }

    private static XElement TypeNote(XName name, HelpTypeNote note) =>
        new(name, new XElement(Dev + "type", new XElement(Maml + "name", note.TypeName)), Description(note.Description));

    private static XElement Description(IEnumerable<string> paragraphs) => new(Maml + "description", Paragraphs(paragraphs));

    private static IEnumerable<XElement> Paragraphs(IEnumerable<string> paragraphs) => paragraphs.Select(p => new XElement(Maml + "para", p));
}

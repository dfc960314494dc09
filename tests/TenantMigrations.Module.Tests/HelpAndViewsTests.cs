using System.Xml.Linq;
using TenantMigrations.HelpGenerator;
using TenantMigrations.Module.Tests.Support;

namespace TenantMigrations.Module.Tests;

/// <summary>The MAML help, the about topic and the format and type data of the built module.</summary>
public sealed class HelpAndViewsTests
{
    private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

    private static readonly XDocument Help = XDocument.Load(ModuleLayout.HelpFile);

    public static TheoryData<string> CmdletNames() => new(CmdletContract.All.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(CmdletNames))]
    public void Every_cmdlet_has_MAML_help_with_synopsis_description_two_examples_and_every_parameter(string name)
    {
        var command = Help.Root!.Elements(Command + "command").SingleOrDefault(c => c.Element(Command + "details")!.Element(Command + "name")!.Value == name);
        Assert.NotNull(command);
        Assert.False(string.IsNullOrWhiteSpace(command.Element(Command + "details")!.Element(Maml + "description")!.Value), "synopsis");
        Assert.False(string.IsNullOrWhiteSpace(command.Element(Maml + "description")!.Value), "description");
        var examples = command.Element(Command + "examples")!.Elements(Command + "example").ToList();
        Assert.True(examples.Count >= 2, $"{examples.Count} examples");
        Assert.All(examples, e => Assert.Contains(name, e.Element(Dev + "code")!.Value, StringComparison.Ordinal));
        var described = command.Element(Command + "parameters")!.Elements(Command + "parameter")
            .ToDictionary(p => p.Element(Maml + "name")!.Value, p => p.Element(Maml + "description")!.Value);
        foreach (var parameter in CmdletContract.Get(name).Parameters)
        {
            Assert.True(described.TryGetValue(parameter.Name, out var text) && text.Trim().Length > 10, $"-{parameter.Name} is not described.");
        }
        Assert.NotEmpty(command.Element(Command + "syntax")!.Elements(Command + "syntaxItem"));
    }

    [Theory]
    [InlineData("Invoke-TenantMigration", "ThrottleLimit", "4")]
    [InlineData("Invoke-TenantMigration", "LockTimeoutSec", "10")]
    [InlineData("Invoke-TenantMigration", "DdlLockTimeoutSec", "5")]
    [InlineData("Get-TenantMigrationStatus", "ThrottleLimit", "4")]
    [InlineData("Repair-TenantMigration", "LockTimeoutSec", "10")]
    [InlineData("Invoke-TenantMigration", "ConnectTimeoutSec", "the connection string's timeout, else the driver's default of 15 seconds")]
    [InlineData("Test-TenantMigration", "CommandTimeoutSec", "30 seconds for the tool's own queries, no limit for migration statements")]
    [InlineData("Invoke-TenantMigration", "TargetVersion", "None")]
    [InlineData("Invoke-TenantMigration", "AllowOutOfOrder", "False")]
    public void Help_shows_each_parameters_default(string cmdlet, string parameter, string expected)
    {
        var element = Parameters(cmdlet).Single(p => p.Element(Maml + "name")!.Value == parameter);

        Assert.Equal(expected, element.Element(Dev + "defaultValue")!.Value);
    }

    [Fact]
    public void Help_lists_the_positional_Path_first_and_links_online()
    {
        Assert.Equal("Path", Parameters("Invoke-TenantMigration").First().Element(Maml + "name")!.Value);
        var link = CommandHelp("Invoke-TenantMigration").Element(Command + "relatedLinks")!.Elements(Maml + "navigationLink").First();
        Assert.Equal("https://github.com/tenantmigrations/tenantmigrations/blob/main/docs/help/Invoke-TenantMigration.md", link.Element(Maml + "uri")!.Value);
    }

    [Fact]
    public void The_about_topic_covers_MySQL_and_the_Pester_5_error_id_pattern()
    {
        var about = File.ReadAllText(Path.Combine(ModuleLayout.Folder, "en-US", "about_TenantMigrations.help.txt"));

        Assert.Contains("MySQL or MariaDB database per tenant", about, StringComparison.Ordinal);
        Assert.Contains("-ErrorId 'MigrationFailed,*'", about, StringComparison.Ordinal);
    }

    private static XElement CommandHelp(string name) =>
        Help.Root!.Elements(Command + "command").Single(c => c.Element(Command + "details")!.Element(Command + "name")!.Value == name);

    private static IEnumerable<XElement> Parameters(string name) => CommandHelp(name).Element(Command + "parameters")!.Elements(Command + "parameter");

    [Fact]
    public void The_help_markdown_matches_the_cmdlets()
    {
        var (_, problems) = HelpCatalog.Match(CmdletContract.All, Path.Combine(ModuleLayout.RepoRoot, "docs", "help"));
        Assert.Empty(problems);
    }

    [Fact]
    public void The_generator_rejects_help_with_one_example_or_an_undescribed_parameter()
    {
        var cmdlet = CmdletContract.Get("Get-Tenant");
        var help = HelpMarkdown.Parse("# Get-Tenant\n\n## SYNOPSIS\nGets.\n\n## DESCRIPTION\nGets tenants.\n\n## EXAMPLES\n\n### Example 1: one\n```powershell\nGet-Tenant\n```\n\n## PARAMETERS\n\n### -Path\nA file.\n\n### -Bogus\nNot a parameter.\n", "test.md");

        var problems = HelpCatalog.Check(cmdlet, help).ToList();

        Assert.Contains(problems, p => p.Contains("at least 2", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("-SqlitePath is not described", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("-Bogus", StringComparison.Ordinal));
    }

    [Fact]
    public void The_about_topic_is_in_the_layout()
    {
        var about = File.ReadAllText(Path.Combine(ModuleLayout.Folder, "en-US", "about_TenantMigrations.help.txt"));
        Assert.StartsWith("TOPIC", about, StringComparison.Ordinal);
        Assert.Contains("about_TenantMigrations", about, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_table_view_has_four_to_six_columns_of_a_model_type_and_shows_no_connection_string()
    {
        var format = XDocument.Load(Path.Combine(ModuleLayout.Folder, "TenantMigrations.Format.ps1xml"));
        var views = format.Descendants("View").ToList();
        Assert.Equal(14, views.Count);
        foreach (var view in views)
        {
            var typeName = view.Descendants("TypeName").Single().Value;
            var type = typeof(Tenant).Assembly.GetType(typeName);
            Assert.NotNull(type);
            var headers = view.Descendants("TableColumnHeader").Count();
            Assert.InRange(headers, 4, 6);
            Assert.Equal(headers, view.Descendants("TableColumnItem").Count());
            foreach (var property in view.Descendants("PropertyName")) Assert.NotNull(type.GetProperty(property.Value));
            Assert.DoesNotContain("ConnectionString", view.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_default_display_property_exists_on_its_type()
    {
        var types = XDocument.Load(Path.Combine(ModuleLayout.Folder, "TenantMigrations.Types.ps1xml"));
        foreach (var type in types.Root!.Elements("Type"))
        {
            var clrType = typeof(Tenant).Assembly.GetType(type.Element("Name")!.Value);
            Assert.NotNull(clrType);
            var set = type.Descendants("PropertySet").Single(p => p.Element("Name")!.Value == "DefaultDisplayPropertySet");
            Assert.All(set.Descendants("ReferencedProperties").Elements("Name"), n => Assert.NotNull(clrType.GetProperty(n.Value)));
        }
    }
}

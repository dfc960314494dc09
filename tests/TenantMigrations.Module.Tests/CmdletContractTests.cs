using System.Reflection;
using System.Runtime.InteropServices;
using TenantMigrations.HelpGenerator;
using TenantMigrations.Module.Tests.Support;

namespace TenantMigrations.Module.Tests;

/// <summary>The public surface of the compiled cmdlets, as PowerShell will see it.</summary>
public sealed class CmdletContractTests
{
    // Get-Verb on PowerShell 7.4.
    private static readonly HashSet<string> ApprovedVerbs = new(StringComparer.Ordinal)
    {
        "Add", "Clear", "Close", "Copy", "Enter", "Exit", "Find", "Format", "Get", "Hide", "Join", "Lock", "Move", "New", "Open", "Optimize",
        "Pop", "Push", "Redo", "Remove", "Rename", "Reset", "Resize", "Search", "Select", "Set", "Show", "Skip", "Split", "Step", "Switch",
        "Undo", "Unlock", "Watch", "Connect", "Disconnect", "Read", "Receive", "Send", "Write", "Backup", "Checkpoint", "Compare", "Compress",
        "Convert", "ConvertFrom", "ConvertTo", "Dismount", "Edit", "Expand", "Export", "Group", "Import", "Initialize", "Limit", "Merge",
        "Mount", "Out", "Publish", "Restore", "Save", "Sync", "Unpublish", "Update", "Debug", "Measure", "Ping", "Repair", "Resolve", "Test",
        "Trace", "Approve", "Assert", "Build", "Complete", "Confirm", "Deny", "Deploy", "Disable", "Enable", "Install", "Invoke", "Register",
        "Request", "Restart", "Resume", "Start", "Stop", "Submit", "Suspend", "Uninstall", "Unregister", "Wait", "Block", "Grant", "Protect",
        "Revoke", "Unblock", "Unprotect", "Use",
    };

    private static readonly string[] FleetCmdlets = ["Get-TenantMigrationStatus", "Invoke-TenantMigration", "Export-TenantMigrationSql", "Test-TenantMigration", "Repair-TenantMigration", "Undo-TenantMigration", "Set-TenantMigrationBaseline", "Get-TenantMigrationHistory", "Test-TenantSchema", "Export-TenantMigrationHistory", "New-Tenant"];

    [Fact]
    public void The_module_has_the_cmdlets_of_the_issue()
    {
        Assert.Equal(
            ["Copy-TenantMigrationHistory", "Export-TenantMigrationHistory", "Export-TenantMigrationSql", "Get-Tenant", "Get-TenantMigrationHistory", "Get-TenantMigrationRun", "Get-TenantMigrationStatus", "Invoke-TenantMigration", "New-Tenant", "New-TenantMigration", "New-TenantObject", "Repair-TenantMigration", "Set-TenantMigrationBaseline", "Test-TenantMigration", "Test-TenantSchema", "Undo-TenantMigration"],
            CmdletContract.All.Select(c => c.Name));
    }

    [Fact]
    public void Every_cmdlet_uses_an_approved_verb_and_a_singular_noun()
    {
        Assert.All(CmdletContract.All, c =>
        {
            Assert.Contains(c.Verb, ApprovedVerbs);
            Assert.False(c.Noun.EndsWith('s') && !c.Noun.EndsWith("Status", StringComparison.Ordinal), $"{c.Name}: nouns are singular.");
        });
    }

    [Fact]
    public void Every_cmdlet_declares_its_output_type()
    {
        Assert.All(CmdletContract.All, c => Assert.NotEmpty(c.OutputTypes));
        Assert.Equal("TenantMigrations.TenantMigrationResult", Assert.Single(CmdletContract.Get("Invoke-TenantMigration").OutputTypes));
        Assert.Equal(["TenantMigrations.TenantMigrationStatus", "TenantMigrations.TenantVersionCohort"], CmdletContract.Get("Get-TenantMigrationStatus").OutputTypes.Order(StringComparer.Ordinal));
        Assert.Equal("TenantMigrations.Tenant", Assert.Single(CmdletContract.Get("Get-Tenant").OutputTypes));
        Assert.Equal("System.IO.FileInfo", Assert.Single(CmdletContract.Get("New-TenantMigration").OutputTypes));
        Assert.Equal("TenantMigrations.TenantMigrationRun", Assert.Single(CmdletContract.Get("Get-TenantMigrationRun").OutputTypes));
        Assert.Equal("TenantMigrations.TenantMigrationHistoryEntry", Assert.Single(CmdletContract.Get("Get-TenantMigrationHistory").OutputTypes));
        Assert.Equal(["TenantMigrations.SchemaDriftClass", "TenantMigrations.TenantSchemaCheck"], CmdletContract.Get("Test-TenantSchema").OutputTypes.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Invoke_supports_ShouldProcess_with_medium_impact_and_Repair_with_high_impact()
    {
        var invoke = CmdletContract.Get("Invoke-TenantMigration");
        Assert.True(invoke.SupportsShouldProcess);
        Assert.Equal("Medium", invoke.ConfirmImpact);
        var repair = CmdletContract.Get("Repair-TenantMigration");
        Assert.True(repair.SupportsShouldProcess);
        Assert.Equal("High", repair.ConfirmImpact);
        Assert.True(CmdletContract.Get("New-TenantMigration").SupportsShouldProcess);
    }

    [Fact]
    public void Copy_history_asks_with_medium_impact_and_Export_history_writes_without_asking()
    {
        var copy = CmdletContract.Get("Copy-TenantMigrationHistory");
        Assert.True(copy.SupportsShouldProcess);
        Assert.Equal("Medium", copy.ConfirmImpact);
        Assert.Equal("TenantMigrations.TenantMigrationResult", Assert.Single(copy.OutputTypes));
        Assert.True(CmdletContract.Parameter("Copy-TenantMigrationHistory", "From").Sets.Single().Mandatory);
        Assert.True(CmdletContract.Parameter("Copy-TenantMigrationHistory", "To").Sets.Single().Mandatory);
        Assert.Equal("TenantMigrations.TenantHistoryExport", Assert.Single(CmdletContract.Get("Export-TenantMigrationHistory").OutputTypes));
        Assert.True(CmdletContract.Parameter("Export-TenantMigrationHistory", "OutputPath").Sets.Single().Mandatory);
        Assert.Equal("SwitchParameter", CmdletContract.Parameter("Export-TenantMigrationHistory", "Force").TypeName);
    }

    [Fact]
    public void Undo_asks_with_high_impact_and_Baseline_with_medium_impact()
    {
        var undo = CmdletContract.Get("Undo-TenantMigration");
        Assert.True(undo.SupportsShouldProcess);
        Assert.Equal("High", undo.ConfirmImpact);
        Assert.Equal("TenantMigrations.TenantMigrationResult", Assert.Single(undo.OutputTypes));
        var baseline = CmdletContract.Get("Set-TenantMigrationBaseline");
        Assert.True(baseline.SupportsShouldProcess);
        Assert.Equal("Medium", baseline.ConfirmImpact);
        Assert.Equal("TenantMigrations.TenantMigrationResult", Assert.Single(baseline.OutputTypes));
    }

    [Fact]
    public void New_Tenant_asks_with_medium_impact_and_takes_a_template_and_one_named_tenant()
    {
        var provision = CmdletContract.Get("New-Tenant");
        Assert.True(provision.SupportsShouldProcess);
        Assert.Equal("Medium", provision.ConfirmImpact);
        Assert.Equal("TenantMigrations.TenantMigrationResult", Assert.Single(provision.OutputTypes));
        Assert.Equal("String", CmdletContract.Parameter("New-Tenant", "Template").TypeName);
        Assert.True(Assert.Single(CmdletContract.Parameter("New-Tenant", "Name").Sets).Mandatory);
        Assert.True(Assert.Single(CmdletContract.Parameter("New-Tenant", "ConnectionString").Sets).Mandatory);
        Assert.Equal("PSCredential", CmdletContract.Parameter("New-Tenant", "Credential").TypeName);
        Assert.Equal("SwitchParameter", CmdletContract.Parameter("Invoke-TenantMigration", "Create").TypeName);
    }

    [Theory]
    [MemberData(nameof(FleetCmdletNames))]
    public void Fleet_cmdlets_take_tenants_from_the_pipeline_by_value_and_by_property_name(string cmdlet)
    {
        var tenant = CmdletContract.Parameter(cmdlet, "Tenant");
        Assert.Equal("Tenant[]", tenant.TypeName);
        var binding = Assert.Single(tenant.Sets);
        Assert.True(binding.ValueFromPipeline);
        Assert.True(binding.ValueFromPipelineByPropertyName);
        var path = Assert.Single(CmdletContract.Parameter(cmdlet, "Path").Sets);
        Assert.Equal(0, path.Position);
        // A migrations folder must never bind from a piped object's Path (exported scripts have one).
        Assert.False(path.ValueFromPipelineByPropertyName);
    }

    public static TheoryData<string> FleetCmdletNames() => new(FleetCmdlets);

    [Fact]
    public void Invoke_has_the_parameters_of_the_issue()
    {
        var names = CmdletContract.Get("Invoke-TenantMigration").Parameters.Select(p => p.Name).ToList();
        Assert.Superset(new HashSet<string> { "Tenant", "Path", "TargetVersion", "ThrottleLimit", "AllowOutOfOrder", "LockTimeoutSec" }, names.ToHashSet());
        Assert.Equal("Int32", CmdletContract.Parameter("Invoke-TenantMigration", "ThrottleLimit").TypeName);
        Assert.Equal("SwitchParameter", CmdletContract.Parameter("Invoke-TenantMigration", "AllowOutOfOrder").TypeName);
        Assert.Equal("Int32", CmdletContract.Parameter("Get-TenantMigrationStatus", "ThrottleLimit").TypeName);
    }

    [Fact]
    public void Get_Tenant_has_one_parameter_set_per_source_with_name_and_tag_filters_everywhere()
    {
        var getTenant = CmdletContract.Get("Get-Tenant");
        Assert.Equal("Path", getTenant.DefaultParameterSetName);
        Assert.Equal(["Catalog", "Database", "Path", "Schema", "SqlitePath"], getTenant.ParameterSetNames.Order(StringComparer.Ordinal));
        Assert.True(Single(getTenant, "SqlitePath").Mandatory);
        var connectionString = getTenant.Parameters.Single(p => p.Name == "ConnectionString").Sets;
        Assert.Equal(["Database", "Schema"], connectionString.Select(s => s.SetName).Order(StringComparer.Ordinal));
        Assert.All(connectionString, set => Assert.True(set.Mandatory));
        Assert.True(Single(getTenant, "SchemaLike").Mandatory);
        Assert.Equal("Schema", Single(getTenant, "SchemaLike").SetName);
        Assert.True(Single(getTenant, "DatabaseLike").Mandatory);
        Assert.Equal(("Database", "Database"), (Single(getTenant, "DatabaseLike").SetName, Single(getTenant, "Engine").SetName));
        Assert.True(Single(getTenant, "CatalogConnectionString").Mandatory && Single(getTenant, "Query").Mandatory);
        Assert.Equal(("Catalog", "Catalog"), (Single(getTenant, "PasswordColumn").SetName, Single(getTenant, "PasswordKeyVariable").SetName));
        Assert.True(Single(getTenant, "Path").ValueFromPipelineByPropertyName);
        Assert.Contains("FullName", CmdletContract.Parameter("Get-Tenant", "Path").Aliases);
        foreach (var common in new[] { "Name", "Tag", "Exclude", "Credential" })
        {
            Assert.Equal(CmdletInfo.AllParameterSets, Single(getTenant, common).SetName);
        }
        Assert.True(CmdletContract.Parameter("Get-Tenant", "Name").SupportsWildcards);
        Assert.Equal("PSCredential", CmdletContract.Parameter("Get-Tenant", "Credential").TypeName);
    }

    [Fact]
    public void New_TenantObject_binds_every_field_by_property_name_and_takes_a_credential()
    {
        foreach (var name in new[] { "Name", "ConnectionString", "Engine", "Schema", "Tag", "Property" })
        {
            Assert.True(Assert.Single(CmdletContract.Parameter("New-TenantObject", name).Sets).ValueFromPipelineByPropertyName, name);
        }
        Assert.Equal("PSCredential", CmdletContract.Parameter("New-TenantObject", "Credential").TypeName);
        Assert.Contains("Tags", CmdletContract.Parameter("New-TenantObject", "Tag").Aliases);
    }

    [Fact]
    public void New_TenantMigration_and_Export_have_their_parameters()
    {
        Assert.Equal("DatabaseEngine[]", CmdletContract.Parameter("New-TenantMigration", "Engine").TypeName);
        Assert.Equal("SwitchParameter", CmdletContract.Parameter("New-TenantMigration", "WithUndo").TypeName);
        Assert.Equal("SwitchParameter", CmdletContract.Parameter("New-TenantMigration", "Typed").TypeName);
        Assert.True(Assert.Single(CmdletContract.Parameter("New-TenantMigration", "Name").Sets).Mandatory);
        Assert.Equal("String", CmdletContract.Parameter("Export-TenantMigrationSql", "OutputPath").TypeName);
        Assert.Equal("SwitchParameter", CmdletContract.Parameter("Test-TenantMigration", "Quiet").TypeName);
    }

    [Fact]
    public void TargetVersion_and_tenant_Name_have_argument_completers()
    {
        using var context = OpenCmdletAssembly(out var assembly);
        foreach (var type in new[] { "InvokeTenantMigrationCommand", "GetTenantMigrationStatusCommand", "ExportTenantMigrationSqlCommand", "TestTenantMigrationCommand" })
        {
            Assert.Equal("MigrationVersionCompleter", CompleterOf(assembly, type, "TargetVersion"));
        }
        Assert.Equal("TenantNameCompleter", CompleterOf(assembly, "GetTenantCommand", "Name"));
    }

    [Fact]
    public void Every_cmdlet_has_a_HelpUri_to_its_help_source()
    {
        Assert.All(CmdletContract.All, c =>
        {
            Assert.Equal($"https://github.com/tenantmigrations/tenantmigrations/blob/main/docs/help/{c.Name}.md", c.HelpUri);
            Assert.True(File.Exists(Path.Combine(ModuleLayout.RepoRoot, "docs", "help", c.Name + ".md")), c.Name);
        });
    }

    [Theory]
    [MemberData(nameof(FleetCmdletNames))]
    public void The_positional_Path_comes_first_in_the_parameter_list(string cmdlet)
    {
        var parameters = CmdletContract.Get(cmdlet).Parameters;
        Assert.Equal("Path", parameters[0].Name);
        Assert.Equal("Tenant", parameters[1].Name);
    }

    [Fact]
    public void The_connecting_cmdlets_have_the_time_limits_of_the_command_line()
    {
        foreach (var cmdlet in new[] { "Invoke-TenantMigration", "Get-TenantMigrationStatus", "Test-TenantMigration", "Export-TenantMigrationSql", "Test-TenantSchema" })
        {
            Assert.Equal("Int32", CmdletContract.Parameter(cmdlet, "ConnectTimeoutSec").TypeName);
            Assert.Equal("Int32", CmdletContract.Parameter(cmdlet, "CommandTimeoutSec").TypeName);
            Assert.NotNull(CmdletContract.Parameter(cmdlet, "ConnectTimeoutSec").DefaultValue);
            Assert.NotNull(CmdletContract.Parameter(cmdlet, "CommandTimeoutSec").DefaultValue);
        }
        Assert.Equal("5", CmdletContract.Parameter("Invoke-TenantMigration", "DdlLockTimeoutSec").DefaultValue);
        Assert.Equal("10", CmdletContract.Parameter("Invoke-TenantMigration", "LockTimeoutSec").DefaultValue);
        Assert.Equal("10", CmdletContract.Parameter("Repair-TenantMigration", "LockTimeoutSec").DefaultValue);
    }

    [Fact]
    public void The_shared_plan_parameters_are_declared_once_with_their_default()
    {
        using var context = OpenCmdletAssembly(out var assembly);
        foreach (var type in new[] { "InvokeTenantMigrationCommand", "GetTenantMigrationStatusCommand", "ExportTenantMigrationSqlCommand", "TestTenantMigrationCommand" })
        {
            foreach (var parameter in new[] { "TargetVersion", "ThrottleLimit", "AllowOutOfOrder" })
            {
                Assert.Equal("PlanningCmdletBase", assembly.GetType("TenantMigrations.Commands." + type)!.GetProperty(parameter)!.DeclaringType!.Name);
            }
        }
        foreach (var cmdlet in new[] { "Invoke-TenantMigration", "Get-TenantMigrationStatus", "Export-TenantMigrationSql", "Test-TenantMigration" })
        {
            Assert.Equal("4", CmdletContract.Parameter(cmdlet, "ThrottleLimit").DefaultValue);
        }
    }

    [Fact]
    public void No_public_signature_of_the_cmdlet_assembly_mentions_an_engine_type()
    {
        // PowerShell reflects over public members when it imports the module, before the engine's load context
        // exists; an engine type there would be loaded into the default context and defeat the isolation.
        using var context = OpenCmdletAssembly(out var assembly);
        foreach (var type in assembly.GetExportedTypes())
        {
            Assert.False(IsEngine(type.BaseType), $"{type} derives from an engine type.");
            Assert.DoesNotContain(type.GetInterfaces(), IsEngine);
            foreach (var member in type.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            {
                var types = member switch
                {
                    PropertyInfo property => [property.PropertyType],
                    FieldInfo field => [field.FieldType],
                    MethodInfo method => method.GetParameters().Select(p => p.ParameterType).Append(method.ReturnType),
                    ConstructorInfo constructor => constructor.GetParameters().Select(p => p.ParameterType),
                    _ => Enumerable.Empty<Type>(),
                };
                Assert.DoesNotContain(types, IsEngine);
            }
        }
    }

    [Fact]
    public void Output_and_parameter_types_come_from_the_model_or_the_framework()
    {
        var allowed = new[] { "TenantMigrations.", "System." };
        foreach (var cmdlet in CmdletContract.All)
        {
            Assert.All(cmdlet.OutputTypes, t => Assert.True(allowed.Any(t.StartsWith) && !t.StartsWith("TenantMigrations.Engine", StringComparison.Ordinal), t));
        }
    }

    private static bool IsEngine(Type? type) =>
        type is not null && (type.Assembly.GetName().Name == "TenantMigrations.Engine" || (type.HasElementType && IsEngine(type.GetElementType())) || (type.IsGenericType && type.GetGenericArguments().Any(IsEngine)));

    private static ParameterSetBinding Single(CmdletInfo cmdlet, string parameter) => Assert.Single(cmdlet.Parameters.Single(p => p.Name == parameter).Sets);

    private static string? CompleterOf(Assembly assembly, string typeName, string property) =>
        assembly.GetType("TenantMigrations.Commands." + typeName)!.GetProperty(property)!.CustomAttributes
            .Where(a => a.AttributeType.Name == "ArgumentCompleterAttribute")
            .Select(a => ((Type)a.ConstructorArguments[0].Value!).Name)
            .SingleOrDefault();

    private static MetadataLoadContext OpenCmdletAssembly(out Assembly assembly)
    {
        var paths = Directory.GetFiles(RuntimeEnvironment.GetRuntimeDirectory(), "*.dll")
            .Concat(Directory.GetFiles(ModuleLayout.Folder, "*.dll"))
            .Concat(Directory.GetFiles(ModuleLayout.Dependencies, "*.dll"))
            .Append(ModuleLayout.PowerShellReference);
        var context = new MetadataLoadContext(new PathAssemblyResolver(paths));
        assembly = context.LoadFromAssemblyPath(ModuleLayout.CmdletAssembly);
        return context;
    }
}

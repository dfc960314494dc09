using System.Management.Automation;
using TenantMigrations.Engine.Commands;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;

namespace TenantMigrations.Commands;

[Cmdlet(VerbsDiagnostic.Test, "TenantSchema", DefaultParameterSetName = ReferenceTenantSet, HelpUri = HelpLinks.Base + "Test-TenantSchema.md")]
[OutputType(typeof(TenantSchemaCheck))]
[OutputType(typeof(SchemaDriftClass))]
public sealed class TestTenantSchemaCommand : ConnectingCmdletBase
{
    /// <summary>A tenant known to be good; every tenant at its version is compared with its live schema.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ReferenceTenantSet)]
    [ValidateNotNullOrEmpty]
    public string? ReferenceTenant { get; set; }

    /// <summary>Compare each tenant with the schema that the fully typed migrations folder (-Path) describes at the tenant's version.</summary>
    [Parameter(Mandatory = true, ParameterSetName = TypedReferenceSet)]
    public SwitchParameter TypedReference { get; set; }

    /// <summary>One object per drift class (tenants with the same differences) instead of one per tenant.</summary>
    [Parameter]
    public SwitchParameter Summary { get; set; }

    /// <summary>A folder for one suggested SQL script per drift class, to review and turn into a migration.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SuggestionPath { get; set; }

    [Parameter]
    [ValidateRange(1, 1024)]
    [PSDefaultValue(Value = DefaultThrottleLimit)]
    public int ThrottleLimit { get; set; } = DefaultThrottleLimit;

    private const int DefaultThrottleLimit = 4;
    private const string ReferenceTenantSet = "ReferenceTenant";
    private const string TypedReferenceSet = "TypedReference";

    private protected override FleetCommand CreateCommand(MigrationSet set) =>
        new SchemaDriftCommand(set, ThrottleLimit, Limits)
        {
            ReferenceTenant = ReferenceTenant,
            TypedReference = TypedReference,
            Summary = Summary,
            SuggestionFolder = SuggestionPath is null ? null : GetUnresolvedProviderPathFromPSPath(SuggestionPath),
        };

    private protected override void Run(FleetCommand fleetCommand) => ((SchemaDriftCommand)fleetCommand).Run(CommandHost);
}

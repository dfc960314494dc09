using System.Management.Automation;
using TenantMigrations.Engine.Commands;
using TenantMigrations.Engine.Migrations;

namespace TenantMigrations.Commands;

[Cmdlet(VerbsCommon.Get, "TenantMigrationStatus", HelpUri = HelpLinks.Base + "Get-TenantMigrationStatus.md")]
[OutputType(typeof(TenantMigrationStatus))]
[OutputType(typeof(TenantVersionCohort))]
public sealed class GetTenantMigrationStatusCommand : PlanningCmdletBase
{
    /// <summary>One object per current version (a cohort) with its tenant count and counts per state, instead of one per tenant.</summary>
    [Parameter]
    public SwitchParameter Summary { get; set; }

    private protected override FleetCommand CreateCommand(MigrationSet set) => new TenantStatusCommand(set, PlanOptionsFor(set), ThrottleLimit, Limits) { Summary = Summary };

    private protected override void Run(FleetCommand fleetCommand) => ((TenantStatusCommand)fleetCommand).Run(CommandHost);
}

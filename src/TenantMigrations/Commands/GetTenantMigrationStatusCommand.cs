using System.Management.Automation;
using TenantMigrations.Engine.Hosting;
using TenantMigrations.Engine.Migrations;

namespace TenantMigrations.Commands;

[Cmdlet(VerbsCommon.Get, "TenantMigrationStatus", HelpUri = HelpLinks.Base + "Get-TenantMigrationStatus.md")]
[OutputType(typeof(TenantMigrationStatus))]
public sealed class GetTenantMigrationStatusCommand : ConnectingCmdletBase
{
    private protected override FleetCommand CreateCommand(MigrationSet set) => new TenantStatusCommand(set, PlanOptionsFor(set), ThrottleLimit, Limits);

    private protected override void Run(FleetCommand fleetCommand) => ((TenantStatusCommand)fleetCommand).Run(CommandHost);
}

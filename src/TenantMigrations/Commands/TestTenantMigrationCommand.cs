using System.Management.Automation;
using TenantMigrations.Engine.Commands;
using TenantMigrations.Engine.Migrations;

namespace TenantMigrations.Commands;

[Cmdlet(VerbsDiagnostic.Test, "TenantMigration", HelpUri = HelpLinks.Base + "Test-TenantMigration.md")]
[OutputType(typeof(TenantMigrationTestResult))]
[OutputType(typeof(bool))]
public sealed class TestTenantMigrationCommand : PlanningCmdletBase
{
    /// <summary>Returns one Boolean for the whole fleet instead of one result per tenant.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    private protected override bool TenantsRequired => false;

    private protected override FleetCommand CreateCommand(MigrationSet set) => new MigrationTestCommand(set, PlanOptionsFor(set), ThrottleLimit, Limits);

    private protected override void Run(FleetCommand fleetCommand)
    {
        var results = ((MigrationTestCommand)fleetCommand).Run(CommandHost, writeResults: !Quiet);
        if (Quiet) WriteObject(results.All(r => r.Passed));
    }
}

using System.Management.Automation;
using TenantMigrations.Engine.Commands;
using TenantMigrations.Engine.Migrations;

namespace TenantMigrations.Commands;

[Cmdlet(VerbsDiagnostic.Repair, "TenantMigration", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, HelpUri = HelpLinks.Base + "Repair-TenantMigration.md")]
[OutputType(typeof(TenantRepairResult))]
public sealed class RepairTenantMigrationCommand : ConnectingCmdletBase
{
    /// <summary>Seconds to wait for a tenant's migration lock before reporting it locked.</summary>
    [Parameter]
    [ValidateRange(0, 86400)]
    [PSDefaultValue(Value = DefaultLockTimeoutSec)]
    public int LockTimeoutSec { get; set; } = DefaultLockTimeoutSec;

    private const int DefaultLockTimeoutSec = 10;

    private protected override FleetCommand CreateCommand(MigrationSet set) => new RepairCommand(set, TimeSpan.FromSeconds(LockTimeoutSec), limits: Limits);

    private protected override void Run(FleetCommand fleetCommand) => ((RepairCommand)fleetCommand).Run(CommandHost);
}

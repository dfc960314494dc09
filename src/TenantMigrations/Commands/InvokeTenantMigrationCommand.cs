using System.Management.Automation;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Hosting;
using TenantMigrations.Engine.Migrations;

namespace TenantMigrations.Commands;

[Cmdlet(VerbsLifecycle.Invoke, "TenantMigration", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.Base + "Invoke-TenantMigration.md")]
[OutputType(typeof(TenantMigrationResult))]
public sealed class InvokeTenantMigrationCommand : ConnectingCmdletBase
{
    private const int DefaultLockTimeoutSec = 10;
    private const int DefaultDdlLockTimeoutSec = 5;

    /// <summary>Seconds to wait for a tenant's migration lock before reporting it locked.</summary>
    [Parameter]
    [ValidateRange(0, 86400)]
    [PSDefaultValue(Value = DefaultLockTimeoutSec)]
    public int LockTimeoutSec { get; set; } = DefaultLockTimeoutSec;

    /// <summary>Seconds a migration's DDL may wait for a table lock before it is rolled back and retried.</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    [PSDefaultValue(Value = DefaultDdlLockTimeoutSec)]
    public int DdlLockTimeoutSec { get; set; } = DefaultDdlLockTimeoutSec;

    private protected override FleetCommand CreateCommand(MigrationSet set) => new TenantMigrationCommand(set, new MigrateOptions
    {
        Plan = PlanOptionsFor(set),
        ThrottleLimit = ThrottleLimit,
        LockTimeout = TimeSpan.FromSeconds(LockTimeoutSec),
        DdlLockTimeout = TimeSpan.FromSeconds(DdlLockTimeoutSec),
        Limits = Limits,
    });

    private protected override void Run(FleetCommand fleetCommand) => ((TenantMigrationCommand)fleetCommand).Run(CommandHost);
}

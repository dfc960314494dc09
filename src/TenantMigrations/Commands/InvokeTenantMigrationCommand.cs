using System.Management.Automation;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Hosting;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Planning;

namespace TenantMigrations.Commands;

[Cmdlet(VerbsLifecycle.Invoke, "TenantMigration", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(TenantMigrationResult))]
public sealed class InvokeTenantMigrationCommand : FleetCmdletBase
{
    [Parameter]
    [ArgumentCompleter(typeof(MigrationVersionCompleter))]
    [ValidateNotNullOrEmpty]
    public string? TargetVersion { get; set; }

    [Parameter]
    [ValidateRange(1, 1024)]
    public int ThrottleLimit { get; set; } = 4;

    [Parameter]
    public SwitchParameter AllowOutOfOrder { get; set; }

    /// <summary>Seconds to wait for a tenant's migration lock before reporting it locked.</summary>
    [Parameter]
    [ValidateRange(0, 86400)]
    public int LockTimeoutSec { get; set; } = 10;

    private protected override FleetCommand CreateCommand(MigrationSet set) => new TenantMigrationCommand(set, new MigrateOptions
    {
        Plan = new PlanOptions { TargetVersion = ParseTargetVersion(TargetVersion, set), AllowOutOfOrder = AllowOutOfOrder },
        ThrottleLimit = ThrottleLimit,
        LockTimeout = TimeSpan.FromSeconds(LockTimeoutSec),
    });

    private protected override void Run(FleetCommand fleetCommand) => ((TenantMigrationCommand)fleetCommand).Run(CommandHost);
}

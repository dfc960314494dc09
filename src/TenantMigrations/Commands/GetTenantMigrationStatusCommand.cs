using System.Management.Automation;
using TenantMigrations.Engine.Hosting;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Planning;

namespace TenantMigrations.Commands;

[Cmdlet(VerbsCommon.Get, "TenantMigrationStatus")]
[OutputType(typeof(TenantMigrationStatus))]
public sealed class GetTenantMigrationStatusCommand : FleetCmdletBase
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

    private protected override FleetCommand CreateCommand(MigrationSet set) =>
        new TenantStatusCommand(set, new PlanOptions { TargetVersion = ParseTargetVersion(TargetVersion, set), AllowOutOfOrder = AllowOutOfOrder }, ThrottleLimit);

    private protected override void Run(FleetCommand fleetCommand) => ((TenantStatusCommand)fleetCommand).Run(CommandHost);
}

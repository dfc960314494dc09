using System.Management.Automation;
using TenantMigrations.Engine.Hosting;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Planning;

namespace TenantMigrations.Commands;

[Cmdlet(VerbsDiagnostic.Test, "TenantMigration")]
[OutputType(typeof(TenantMigrationTestResult))]
[OutputType(typeof(bool))]
public sealed class TestTenantMigrationCommand : FleetCmdletBase
{
    [Parameter]
    [ArgumentCompleter(typeof(MigrationVersionCompleter))]
    [ValidateNotNullOrEmpty]
    public string? TargetVersion { get; set; }

    [Parameter]
    public SwitchParameter AllowOutOfOrder { get; set; }

    [Parameter]
    [ValidateRange(1, 1024)]
    public int ThrottleLimit { get; set; } = 4;

    /// <summary>Returns one Boolean for the whole fleet instead of one result per tenant.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    private protected override bool TenantsRequired => false;

    private protected override FleetCommand CreateCommand(MigrationSet set) =>
        new MigrationTestCommand(set, new PlanOptions { TargetVersion = ParseTargetVersion(TargetVersion, set), AllowOutOfOrder = AllowOutOfOrder }, ThrottleLimit);

    private protected override void Run(FleetCommand fleetCommand)
    {
        var results = ((MigrationTestCommand)fleetCommand).Run(CommandHost, writeResults: !Quiet);
        if (Quiet) WriteObject(results.All(r => r.Passed));
    }
}

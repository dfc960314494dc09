using System.Management.Automation;
using TenantMigrations.Engine.Hosting;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Planning;

namespace TenantMigrations.Commands;

[Cmdlet(VerbsData.Export, "TenantMigrationSql")]
[OutputType(typeof(TenantMigrationScript))]
public sealed class ExportTenantMigrationSqlCommand : FleetCmdletBase
{
    /// <summary>The folder that receives one &lt;tenant&gt;.sql file per tenant; without it the scripts are returned as objects.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? OutputPath { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(MigrationVersionCompleter))]
    [ValidateNotNullOrEmpty]
    public string? TargetVersion { get; set; }

    [Parameter]
    public SwitchParameter AllowOutOfOrder { get; set; }

    [Parameter]
    [ValidateRange(1, 1024)]
    public int ThrottleLimit { get; set; } = 4;

    private protected override FleetCommand CreateCommand(MigrationSet set) => new ScriptExportCommand(
        set,
        new PlanOptions { TargetVersion = ParseTargetVersion(TargetVersion, set), AllowOutOfOrder = AllowOutOfOrder },
        ThrottleLimit,
        OutputPath is null ? null : GetUnresolvedProviderPathFromPSPath(OutputPath),
        Force);

    private protected override void Run(FleetCommand fleetCommand) => ((ScriptExportCommand)fleetCommand).Run(CommandHost);
}

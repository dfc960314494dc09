using System.Management.Automation;
using TenantMigrations.Engine.Commands;
using TenantMigrations.Engine.Migrations;

namespace TenantMigrations.Commands;

[Cmdlet(VerbsData.Export, "TenantMigrationSql", HelpUri = HelpLinks.Base + "Export-TenantMigrationSql.md")]
[OutputType(typeof(TenantMigrationScript))]
public sealed class ExportTenantMigrationSqlCommand : PlanningCmdletBase
{
    /// <summary>The folder that receives one &lt;tenant&gt;.sql file per tenant; without it the scripts are returned as objects.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? OutputPath { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    private protected override FleetCommand CreateCommand(MigrationSet set) => new ScriptExportCommand(
        set,
        PlanOptionsFor(set),
        ThrottleLimit,
        OutputPath is null ? null : GetUnresolvedProviderPathFromPSPath(OutputPath),
        Force,
        limits: Limits);

    private protected override void Run(FleetCommand fleetCommand) => ((ScriptExportCommand)fleetCommand).Run(CommandHost);
}

using System.Management.Automation;
using TenantMigrations.Engine.Commands;
using TenantMigrations.Engine.Migrations;

namespace TenantMigrations.Commands;

[Cmdlet(VerbsData.Export, "TenantMigrationHistory", HelpUri = HelpLinks.Base + "Export-TenantMigrationHistory.md")]
[OutputType(typeof(TenantHistoryExport))]
public sealed class ExportTenantMigrationHistoryCommand : FleetCmdletBase
{
    /// <summary>The folder to write the tenant's applied scripts to, as a migrations folder.</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string OutputPath { get; set; } = "";

    /// <summary>Replace the migration files of a folder that is not empty.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    private protected override FleetCommand CreateCommand(MigrationSet set) =>
        new HistoryExportCommand(set, GetUnresolvedProviderPathFromPSPath(OutputPath), Force.IsPresent);

    protected override void ProcessRecord()
    {
        RunGuarded(() => Tenant = Tenant?.Select(t => TenantNameLookup.Resolve(t, CurrentFolder, "-Tenant")).ToArray());
        base.ProcessRecord();
    }

    private protected override void Run(FleetCommand fleetCommand) => ((HistoryExportCommand)fleetCommand).Run(CommandHost);
}

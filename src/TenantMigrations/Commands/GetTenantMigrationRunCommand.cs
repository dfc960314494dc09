using System.Management.Automation;
using TenantMigrations.Engine.Hosting;

namespace TenantMigrations.Commands;

/// <summary>Lists the runs of a run store, or reads one: its progress, failures and the tenants left.</summary>
[Cmdlet(VerbsCommon.Get, "TenantMigrationRun", HelpUri = HelpLinks.Base + "Get-TenantMigrationRun.md")]
[OutputType(typeof(TenantMigrationRun))]
public sealed class GetTenantMigrationRunCommand : PSCmdlet
{
    /// <summary>The run to read; every run of the store when absent.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? RunId { get; set; }

    /// <summary>The run store folder.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? RunStore { get; set; }

    // Piped results of one run all carry its id: the run is written once.
    private readonly HashSet<string> shown = new(StringComparer.OrdinalIgnoreCase);

    protected override void ProcessRecord()
    {
        try
        {
            var store = Engine.Rollouts.RunRecords.RunStore.Resolve(RunStore is null ? null : GetUnresolvedProviderPathFromPSPath(RunStore), SessionState.Path.CurrentFileSystemLocation.ProviderPath);
            var command = new RunRecordsCommand(store);
            if (RunId is null) command.List(new CmdletHost(this));
            else if (shown.Add(RunId)) command.Get(new CmdletHost(this), RunId);
        }
        catch (CommandTerminatingException ex)
        {
            ThrowTerminatingError(CmdletHost.ToErrorRecord(ex.Error));
        }
    }
}

using System.Management.Automation;
using TenantMigrations.Engine.Commands;

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

    /// <summary>The run store: a folder, or a shared catalog database as postgres:CONNECTION or mysql:CONNECTION.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? RunStore { get; set; }

    // Piped results of one run all carry its id: the run is written once.
    private readonly HashSet<string> shown = new(StringComparer.OrdinalIgnoreCase);

    protected override void ProcessRecord()
    {
        try
        {
            var store = Engine.Rollouts.RunRecords.RunStores.Resolve(ProviderPathOrConnection(RunStore), SessionState.Path.CurrentFileSystemLocation.ProviderPath);
            var command = new RunRecordsCommand(store);
            if (RunId is null) command.List(new CmdletHost(this));
            else if (shown.Add(RunId)) command.Get(new CmdletHost(this), RunId);
        }
        catch (CommandTerminatingException ex)
        {
            ThrowTerminatingError(CmdletHost.ToErrorRecord(ex.Error));
        }
        catch (ArgumentException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "InvalidRunStore", ErrorCategory.InvalidArgument, null));
        }
    }

    /// <summary>A folder is resolved like any PowerShell path; a postgres: or mysql: connection is passed on as given.</summary>
    private string? ProviderPathOrConnection(string? runStore) =>
        runStore is null || Engine.Rollouts.SharedRuns.SharedRunStore.IsConnection(runStore) ? runStore : GetUnresolvedProviderPathFromPSPath(runStore);
}

using System.Management.Automation;
using TenantMigrations.Engine.Commands;
using TenantMigrations.Engine.Execution;

namespace TenantMigrations.Commands;

[Cmdlet(VerbsCommon.Copy, "TenantMigrationHistory", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.Base + "Copy-TenantMigrationHistory.md")]
[OutputType(typeof(TenantMigrationResult))]
public sealed class CopyTenantMigrationHistoryCommand : PSCmdlet, IDisposable
{
    private HistoryReplayCommand? command;

    /// <summary>The tenant whose recorded history is replayed: a tenant object, or a name from the tenants file.</summary>
    [Parameter(Mandatory = true)]
    [TenantTransformation]
    [ValidateNotNull]
    public Tenant? From { get; set; }

    /// <summary>The existing, empty tenant that receives the history.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    [TenantTransformation]
    [ValidateNotNull]
    public Tenant? To { get; set; }

    /// <summary>The migrations folder whose settings name the journal table (default: the current or ./migrations folder).</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>Seconds to wait for the target's migration lock.</summary>
    [Parameter]
    [ValidateRange(0, 86400)]
    [PSDefaultValue(Value = DefaultLockTimeoutSec)]
    public int LockTimeoutSec { get; set; } = DefaultLockTimeoutSec;

    /// <summary>Seconds that opening a connection may take.</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    [PSDefaultValue(Help = "the connection string's timeout, else the driver's default of 15 seconds")]
    public int ConnectTimeoutSec { get; set; }

    /// <summary>Seconds that one command may run.</summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    [PSDefaultValue(Help = "30 seconds for the tool's own queries, no limit for replayed statements")]
    public int CommandTimeoutSec { get; set; }

    private const int DefaultLockTimeoutSec = 10;

    private string CurrentFolder => SessionState.Path.CurrentFileSystemLocation.ProviderPath;

    protected override void ProcessRecord()
    {
        try
        {
            var set = MigrationFolders.Load(Path is null ? null : GetUnresolvedProviderPathFromPSPath(Path), CurrentFolder);
            var from = TenantNameLookup.Resolve(From!, CurrentFolder, "-From");
            var to = TenantNameLookup.Resolve(To!, CurrentFolder, "-To");
            var options = new MigrateOptions
            {
                LockTimeout = TimeSpan.FromSeconds(LockTimeoutSec),
                ThrottleLimit = 1,
                Limits = new ConnectionLimits
                {
                    ConnectTimeout = MyInvocation.BoundParameters.ContainsKey(nameof(ConnectTimeoutSec)) ? TimeSpan.FromSeconds(ConnectTimeoutSec) : null,
                    CommandTimeout = MyInvocation.BoundParameters.ContainsKey(nameof(CommandTimeoutSec)) ? TimeSpan.FromSeconds(CommandTimeoutSec) : null,
                },
            };
            command?.Dispose();
            command = new HistoryReplayCommand(set, from, to, options);
            command.Run(new CmdletHost(this));
        }
        catch (CommandTerminatingException ex)
        {
            ThrowTerminatingError(CmdletHost.ToErrorRecord(ex.Error));
        }
        catch (OperationCanceledException) when (Stopping)
        {
            // Stopped with Ctrl+C: PowerShell reports the stop itself.
        }
    }

    protected override void StopProcessing() => command?.Cancel();

    /// <summary>PowerShell disposes a cmdlet that is IDisposable when its pipeline ends.</summary>
    public void Dispose()
    {
        command?.Dispose();
        GC.SuppressFinalize(this);
    }
}

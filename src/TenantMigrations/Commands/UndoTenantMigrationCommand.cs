using System.Management.Automation;
using TenantMigrations.Engine;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Commands;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Rollouts.RunRecords;
using TenantMigrations.Engine.Rollouts.SharedRuns;

namespace TenantMigrations.Commands;

/// <summary>Runs the U scripts of the applied versions above -TargetVersion, highest first, or takes back what the run -RunId applied.</summary>
[Cmdlet(VerbsCommon.Undo, "TenantMigration", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, HelpUri = HelpLinks.Base + "Undo-TenantMigration.md")]
[OutputType(typeof(TenantMigrationResult))]
public sealed class UndoTenantMigrationCommand : PlanningCmdletBase
{
    private const int DefaultLockTimeoutSec = 10;

    /// <summary>Seconds to wait for a tenant's migration lock before reporting it locked.</summary>
    [Parameter]
    [ValidateRange(0, 86400)]
    [PSDefaultValue(Value = DefaultLockTimeoutSec)]
    public int LockTimeoutSec { get; set; } = DefaultLockTimeoutSec;

    /// <summary>Undo exactly what this run applied, on exactly the tenants where it applied it.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? RunId { get; set; }

    /// <summary>Where the run -RunId is recorded: a folder, or postgres:CONNECTION / mysql:CONNECTION.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? RunStore { get; set; }

    private protected override FleetCommand CreateCommand(MigrationSet set)
    {
        // Parsed here rather than as a migrate target: 0, below every version, is a fine target for an undo.
        MigrationVersion? target = null;
        if (TargetVersion is not null && !MigrationVersion.TryParse(TargetVersion, out target))
        {
            throw CommandErrorIds.Terminating(ErrorIds.InvalidMigration, $"-TargetVersion '{TargetVersion}' is not a version: use digits separated by dots, e.g. 1.2 or 20261121093000.", TargetVersion);
        }
        if (target is null == RunId is null)
        {
            throw CommandErrorIds.Terminating("InvalidUndoRequest", "Give exactly one of -TargetVersion (undo down to that version) or -RunId (undo what that run applied).", null);
        }
        var options = new MigrateOptions
        {
            ThrottleLimit = ThrottleLimit,
            LockTimeout = TimeSpan.FromSeconds(LockTimeoutSec),
            Limits = Limits,
            Undo = target is not null ? UndoRequest.ToTarget(target) : UndoRequest.OfRun(ReadRun(RunId!)),
        };
        return new TenantMigrationCommand(set, options);
    }

    private TenantMigrationRun ReadRun(string runId)
    {
        try
        {
            var given = RunStore ?? Environment.GetEnvironmentVariable(Engine.Rollouts.RunRecords.RunStore.EnvironmentVariable);
            var store = RunStores.Resolve(given is null || SharedRunStore.IsConnection(given) ? given : GetUnresolvedProviderPathFromPSPath(given), CurrentFolder);
            return store.ReadAsync(runId, CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (RunNotFoundException ex)
        {
            throw new CommandTerminatingException(new CommandError(RunRecordsCommand.RunNotFound, "ObjectNotFound", ex.Message, runId, ex));
        }
        catch (ArgumentException ex)
        {
            throw new CommandTerminatingException(new CommandError(RunRecordsCommand.InvalidRunStore, "InvalidArgument", ex.Message, runId, ex));
        }
    }

    private protected override void Run(FleetCommand fleetCommand) => ((TenantMigrationCommand)fleetCommand).Run(CommandHost);
}

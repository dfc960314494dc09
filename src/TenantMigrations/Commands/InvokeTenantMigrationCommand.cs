using System.Management.Automation;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Hosting;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Rollouts.RunRecords;

namespace TenantMigrations.Commands;

[Cmdlet(VerbsLifecycle.Invoke, "TenantMigration", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.Base + "Invoke-TenantMigration.md")]
[OutputType(typeof(TenantMigrationResult))]
public sealed class InvokeTenantMigrationCommand : ConnectingCmdletBase
{
    private const int DefaultLockTimeoutSec = 10;
    private const int DefaultDdlLockTimeoutSec = 5;

    /// <summary>Seconds to wait for a tenant's migration lock before reporting it locked.</summary>
    [Parameter]
    [ValidateRange(0, 86400)]
    [PSDefaultValue(Value = DefaultLockTimeoutSec)]
    public int LockTimeoutSec { get; set; } = DefaultLockTimeoutSec;

    /// <summary>Seconds a migration's DDL may wait for a table lock before it is rolled back and retried.</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    [PSDefaultValue(Value = DefaultDdlLockTimeoutSec)]
    public int DdlLockTimeoutSec { get; set; } = DefaultDdlLockTimeoutSec;

    /// <summary>The run store folder for the run record.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? RunStore { get; set; }

    /// <summary>Continues this run: the tenants it already did are skipped without being connected to.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Resume { get; set; }

    private protected override FleetCommand CreateCommand(MigrationSet set)
    {
        var options = new MigrateOptions
        {
            Plan = PlanOptionsFor(set),
            ThrottleLimit = ThrottleLimit,
            LockTimeout = TimeSpan.FromSeconds(LockTimeoutSec),
            DdlLockTimeout = TimeSpan.FromSeconds(DdlLockTimeoutSec),
            Limits = Limits,
        };
        var record = RunRecordFor(options);
        return new TenantMigrationCommand(set, options with { RunId = record.RunId }) { RunRecord = record };
    }

    /// <summary>-WhatIf writes no record; it still skips what a resumed run already did.</summary>
    private RunRecordRequest RunRecordFor(MigrateOptions options)
    {
        var store = Engine.Rollouts.RunRecords.RunStore.Resolve(RunStore is null ? null : GetUnresolvedProviderPathFromPSPath(RunStore), CurrentFolder);
        var whatIf = MyInvocation.BoundParameters.TryGetValue("WhatIf", out var given) ? LanguagePrimitives.IsTrue(given) : LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));
        var described = RunRecordRequest.DescribeOptions(options);
        if (Resume is null) return RunRecordRequest.NewRun(store, described, write: !whatIf);
        try
        {
            return RunRecordRequest.ResumeRun(store, Resume, described, write: !whatIf);
        }
        catch (ArgumentException ex)
        {
            throw new CommandTerminatingException(new CommandError(RunRecordsCommand.RunNotFound, "ObjectNotFound", ex.Message, Resume, ex));
        }
    }

    private protected override void Run(FleetCommand fleetCommand) => ((TenantMigrationCommand)fleetCommand).Run(CommandHost);
}

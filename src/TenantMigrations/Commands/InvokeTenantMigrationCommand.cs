using System.Management.Automation;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Hosting;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Rollouts.RunRecords;
using TenantMigrations.Engine.Rollouts;

namespace TenantMigrations.Commands;

[Cmdlet(VerbsLifecycle.Invoke, "TenantMigration", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.Base + "Invoke-TenantMigration.md")]
[OutputType(typeof(TenantMigrationResult))]
public sealed class InvokeTenantMigrationCommand : ConnectingCmdletBase
{
    private const int DefaultLockTimeoutSec = 10;
    private const int DefaultDdlLockTimeoutSec = 5;
    private const string InvalidRolloutOption = "InvalidRolloutOption";

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

    /// <summary>The waves, in order: a tag, a percentage such as '10%', or 'rest'. Overrides the settings file's waves.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Waves { get; set; }

    /// <summary>Runs this wave only.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Wave { get; set; }

    /// <summary>Pause between waves: '90s', '10m', '2h45m' or a TimeSpan.</summary>
    [Parameter]
    [DurationTransformation(nameof(WaveDelay))]
    public TimeSpan WaveDelay { get; set; }

    /// <summary>Circuit breaker: once more than this many tenants failed, no new tenant starts.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    [PSDefaultValue(Help = "no limit for a flat run; 0 for the first wave")]
    public int MaxFailures { get; set; }

    /// <summary>Circuit breaker: once more than this percentage of the finished tenants failed (after 20 finished), no new tenant starts.</summary>
    [Parameter]
    [ValidateRange(0d, 100d)]
    [PSDefaultValue(Help = "no limit")]
    public double MaxFailureRate { get; set; }

    /// <summary>Time budget: once spent, no new tenant starts.</summary>
    [Parameter]
    [DurationTransformation(nameof(MaxDuration))]
    [PSDefaultValue(Help = "no limit")]
    public TimeSpan MaxDuration { get; set; }

    /// <summary>This runner's share of the tenants, 'i/N' (1-based).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Partition { get; set; }

    /// <summary>The number of partitions, for an index read from JOB_COMPLETION_INDEX.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int PartitionCount { get; set; }

    /// <summary>Tenant name wildcards or tags left out of the run.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Exclude { get; set; }

    /// <summary>Most tenants that run at once on one database server.</summary>
    [Parameter]
    [ValidateRange(1, 1024)]
    [PSDefaultValue(Help = "no cap beyond -ThrottleLimit")]
    public int ThrottlePerServer { get; set; }

    /// <summary>A tenant locked by another runner is reported skipped, not as an error.</summary>
    [Parameter]
    public SwitchParameter SkipLocked { get; set; }

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
        return new TenantMigrationCommand(set, options with { RunId = record.RunId }) { RunRecord = record, Rollout = ReadRollout(set) };
    }

    /// <summary>-WhatIf writes no record; it still skips what a resumed run already did.</summary>
    private RunRecordRequest RunRecordFor(MigrateOptions options)
    {
        if (Engine.Rollouts.SharedRuns.SharedRunStore.IsConnection(RunStore ?? Environment.GetEnvironmentVariable(Engine.Rollouts.RunRecords.RunStore.EnvironmentVariable)))
        {
            var problem = new ArgumentException("Invoke-TenantMigration keeps its run record in a folder; a shared run store (postgres: or mysql:) is used by `tenantmigrations migrate --run-store ... --run-id ...`, and Get-TenantMigrationRun reads it.");
            throw CommandErrorIds.Terminating(InvalidRolloutOption, problem.Message, null, problem);
        }
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

    private RolloutOptions ReadRollout(MigrationSet set)
    {
        try
        {
            if (IsBound(nameof(MaxDuration)) && MaxDuration <= TimeSpan.Zero) throw new ArgumentException("-MaxDuration must be longer than 0.");
            if (WaveDelay < TimeSpan.Zero) throw new ArgumentException("-WaveDelay cannot be negative.");
            var rollout = new RolloutOptions
            {
                Waves = Waves is null ? null : WaveDefinition.Parse(string.Join(',', Waves), "-Waves"),
                OnlyWave = Wave,
                WaveDelay = WaveDelay,
                MaxFailures = IsBound(nameof(MaxFailures)) ? MaxFailures : null,
                MaxFailureRate = IsBound(nameof(MaxFailureRate)) ? MaxFailureRate : null,
                MaxDuration = IsBound(nameof(MaxDuration)) ? MaxDuration : null,
                Partition = TenantPartition.Resolve(Partition, IsBound(nameof(PartitionCount)) ? PartitionCount : null, Environment.GetEnvironmentVariable, "-Partition", "-PartitionCount"),
                Exclude = Exclude ?? [],
                ThrottlePerServer = IsBound(nameof(ThrottlePerServer)) ? ThrottlePerServer : null,
                SkipLocked = SkipLocked,
            };
            rollout.Validate();
            rollout.WavesFor(set);
            return rollout;
        }
        catch (ArgumentException ex)
        {
            throw CommandErrorIds.Terminating(InvalidRolloutOption, ex.Message, null, ex);
        }
    }

    private bool IsBound(string parameter) => MyInvocation.BoundParameters.ContainsKey(parameter);

    private protected override void Run(FleetCommand fleetCommand) => ((TenantMigrationCommand)fleetCommand).Run(CommandHost);
}

using System.Management.Automation;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Commands;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Rollouts.RunRecords;
using TenantMigrations.Engine.Rollouts;
using TenantMigrations.Engine.Rollouts.SharedRuns;

namespace TenantMigrations.Commands;

[Cmdlet(VerbsLifecycle.Invoke, "TenantMigration", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.Base + "Invoke-TenantMigration.md")]
[OutputType(typeof(TenantMigrationResult))]
public sealed class InvokeTenantMigrationCommand : PlanningCmdletBase
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

    /// <summary>The run store: a folder for the run record, or a shared catalog database as postgres:CONNECTION or mysql:CONNECTION.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? RunStore { get; set; }

    /// <summary>With a database run store: the shared run to create or join, so that runners started together share one run.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? RunId { get; set; }

    /// <summary>With a database run store: how long a claim on a tenant holds without renewal ('30s', '2m' or a TimeSpan).</summary>
    [Parameter]
    [DurationTransformation(nameof(Lease))]
    [PSDefaultValue(Help = "60 seconds")]
    public TimeSpan Lease { get; set; }

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

    /// <summary>A tenant with tables but no journal is baselined at this version, then migrated above it.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? BaselineOnMigrate { get; set; }

    /// <summary>Flyway's group: a tenant's pending transactional migrations in one transaction, one journal row each (PostgreSQL, SQLite).</summary>
    [Parameter]
    public SwitchParameter Group { get; set; }

    /// <summary>A tenant locked by another runner is reported skipped, not as an error.</summary>
    [Parameter]
    public SwitchParameter SkipLocked { get; set; }

    /// <summary>Create a tenant whose SQLite file, schema or database is missing instead of reporting it TenantNotFound (New-Tenant does this on purpose).</summary>
    [Parameter]
    public SwitchParameter Create { get; set; }

    private protected override FleetCommand CreateCommand(MigrationSet set)
    {
        var options = new MigrateOptions
        {
            Plan = PlanOptionsFor(set),
            ThrottleLimit = ThrottleLimit,
            LockTimeout = TimeSpan.FromSeconds(LockTimeoutSec),
            DdlLockTimeout = TimeSpan.FromSeconds(DdlLockTimeoutSec),
            Limits = Limits,
            BaselineOnMigrate = BaselineOnMigrate is null ? null : ParseBaselineVersion(BaselineOnMigrate),
            CreateMissing = Create,
            Group = Group.IsPresent,
        };
        if (SharedRunFor(options) is { } shared)
        {
            var rollout = ReadRollout(set);
            try
            {
                SharedRun.RefuseWaves(rollout, set);
            }
            catch (ArgumentException ex)
            {
                throw InvalidRunStore(ex.Message);
            }
            return new TenantMigrationCommand(set, options with { RunId = shared.RunId }) { SharedRun = shared, Rollout = rollout };
        }
        if (RunId is not null || IsBound(nameof(Lease))) throw InvalidRunStore("-RunId and -Lease need a database run store: give -RunStore 'postgres:CONNECTION' or 'mysql:CONNECTION'.");
        var record = RunRecordFor(options);
        return new TenantMigrationCommand(set, options with { RunId = record.RunId }) { RunRecord = record, Rollout = ReadRollout(set) };
    }

    /// <summary>The shared run to join when the run store is a database (-RunStore or the environment variable); null for a folder. -WhatIf joins nothing.</summary>
    private SharedRunRequest? SharedRunFor(MigrateOptions options)
    {
        var given = RunStore ?? Environment.GetEnvironmentVariable(Engine.Rollouts.RunRecords.RunStore.EnvironmentVariable);
        if (!SharedRunStore.IsConnection(given)) return null;
        if (RunId is not null && Resume is not null) throw InvalidRunStore("Give -RunId or -Resume, not both: -RunId creates or joins a shared run, -Resume continues one that exists and retries its failed tenants.");
        var runId = Resume ?? RunId ?? Engine.Rollouts.RunRecords.RunStore.NewRunId(DateTimeOffset.UtcNow);
        if (!Engine.Rollouts.RunRecords.RunStore.IsValidRunId(runId)) throw InvalidRunStore($"'{runId}' is not a run id: use letters, digits, '.', '_' and '-' (at most 64, starting with a letter or digit).");
        if (IsBound(nameof(Lease)) && Lease < TimeSpan.FromSeconds(1)) throw InvalidRunStore("-Lease must be at least 1 second.");
        try
        {
            var lease = IsBound(nameof(Lease)) ? Lease : TimeSpan.FromSeconds(SharedRun.DefaultLeaseSeconds);
            return new SharedRunRequest(SharedRunStore.Parse(given!), runId, Resume is not null, lease, RunRecordRequest.DescribeOptions(options));
        }
        catch (ArgumentException ex)
        {
            throw InvalidRunStore($"-RunStore: {ex.Message}");
        }
    }

    private static CommandTerminatingException InvalidRunStore(string message) =>
        new(new CommandError(RunRecordsCommand.InvalidRunStore, "InvalidArgument", message, null, new ArgumentException(message)));

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

    private static MigrationVersion ParseBaselineVersion(string text) => MigrationVersion.TryParse(text, out var version)
        ? version
        : throw CommandErrorIds.Terminating(Engine.ErrorIds.InvalidMigration, $"-BaselineOnMigrate '{text}' is not a version: use digits separated by dots, e.g. 1.2 or 20261121093000.", text);

    private bool IsBound(string parameter) => MyInvocation.BoundParameters.ContainsKey(parameter);

    private protected override void Run(FleetCommand fleetCommand) => ((TenantMigrationCommand)fleetCommand).Run(CommandHost);
}

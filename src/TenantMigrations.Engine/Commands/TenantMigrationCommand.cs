using System.Collections.Concurrent;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Rollouts.RunRecords;
using TenantMigrations.Engine.Rollouts;
using TenantMigrations.Engine.Rollouts.SharedRuns;

namespace TenantMigrations.Engine.Commands;

/// <summary>
/// Invoke-TenantMigration without PowerShell. A read-only dry run plans every tenant; each tenant with work gets one
/// ShouldProcess naming its versions; the approved tenants then migrate in parallel and each result is written as it
/// finishes. A tenant that is blocked or fails is written as a result and as a non-terminating error. Under -WhatIf
/// each tenant with work is written as its planned result (DryRun, Planned, StateAfter = its current state).
/// A host that never prompts (the CLI) sets <see cref="AskPerTenant"/> to false: one ShouldProcess for the fleet,
/// then one pass over it, real or dry.
/// </summary>
public sealed class TenantMigrationCommand(MigrationSet set, MigrateOptions options, FleetMigrator? migrator = null) : FleetCommand(set, migrator)
{
    public const string Activity = "Migrating tenants";

    public MigrateOptions Options { get; } = options;

    /// <summary>The run record to write (and, on a resume, the tenants to skip); null records nothing.</summary>
    public RunRecordRequest? RunRecord { get; init; }
    /// <summary>A run of a shared run store to join instead of a folder record: the approved tenants are claimed from it.</summary>
    public SharedRunRequest? SharedRun { get; init; }

    /// <summary>Waves, breaker, budget, partition, exclusions, per-server throttle and skip-locked of the real run.</summary>
    public RolloutOptions Rollout { get; init; } = new();

    /// <summary>
    /// True (the cmdlets): plan every tenant, then ask per tenant with work. False: ask once for the whole fleet, then
    /// run it; declined as a dry run, the engine's read-only dry run plans every tenant through the same rollout, so
    /// the results and the summary count every tenant.
    /// </summary>
    public bool AskPerTenant { get; init; } = true;

    /// <summary>The tenants a resumed or shared run had already done, and that this call skipped.</summary>
    public int AlreadyDone { get; private set; }

    /// <summary>Plans, asks, migrates. Returns the summary of the real run (empty when nothing was approved).</summary>
    public MigrationRunSummary Run(ICommandHost host)
    {
        try
        {
            return AskPerTenant ? PlanAndMigrate(host) : MigrateFleet(host);
        }
        finally
        {
            WarnAboutRetries(host);
        }
    }

    private MigrationRunSummary PlanAndMigrate(ICommandHost host)
    {
        using var recording = RunRecordsCommand.Open(RunRecord, Set, Tenants);
        var candidates = recording?.TenantsToRun ?? Tenants;
        if (recording is not null) ReportResume(host, recording);
        var selected = Rollout.Select(candidates);
        if (selected.Count < candidates.Count) host.WriteVerbose($"{candidates.Count - selected.Count} of {candidates.Count} tenants are excluded or in another partition.");
        var plans = Plan(host, selected, recording);
        var approved = new List<Tenant>();
        foreach (var tenant in selected)
        {
            if (!plans.TryGetValue(tenant, out var plan)) continue;
            if (EndsWithPlan(plan))
            {
                // Nothing would change: report the tenant as it stands, without touching it.
                var standing = AsRunResult(plan);
                host.WriteObject(standing);
                if (!standing.Succeeded) host.WriteError(TenantErrors.ForResult(standing));
                continue;
            }
            if (host.ShouldProcess(Target(tenant), Describe(plan), out var whatIf)) approved.Add(tenant);
            else if (whatIf) host.WriteObject(AsPlannedResult(plan));
            else host.WriteVerbose($"{tenant.Name}: skipped, {plan.Planned.Length} migration(s) not applied.");
        }
        if (approved.Count == 0 || IsCancelled)
        {
            recording?.Close(IsCancelled);
            return new MigrationRunSummary { RunId = Options.RunId, Skipped = selected.Count, IsUndo = Options.Undo is not null };
        }

        var rollout = Rollout with { RunOnly = RolloutOptions.NamesOf(approved) };
        var summary = RunRollout(host, approved.Count, (sink, token) => SharedRun is { } shared
            ? MigrateSharedAsync(shared, approved, Rollout with { Exclude = [], Partition = null }, sink, token)
            : new RolloutRunner(Migrator).MigrateAsync(Tenants, Set, Options with { DryRun = false }, rollout, recording?.Wrap(sink) ?? sink, token));
        recording?.Close(summary.Cancelled);
        return summary;
    }

    /// <summary>
    /// One question for the fleet, then one pass through the rollout: the real run, or under a dry run the engine's
    /// read-only plan of every selected tenant (a dry run joins no shared run and writes no record).
    /// </summary>
    private MigrationRunSummary MigrateFleet(ICommandHost host)
    {
        var selected = Rollout.Select(Tenants);
        var approved = host.ShouldProcess($"{selected.Count} tenant(s)", $"{(Options.Undo is null ? "Migrate" : "Undo migrations on")} {selected.Count} tenant(s)", out var whatIf);
        if (!approved && !whatIf) return new MigrationRunSummary { RunId = Options.RunId, Skipped = selected.Count, IsUndo = Options.Undo is not null };
        if (approved && SharedRun is { } shared)
        {
            return RunRollout(host, selected.Count, (sink, token) => MigrateSharedAsync(shared, selected, Rollout with { Exclude = [], Partition = null }, sink, token));
        }
        using var recording = RunRecordsCommand.Open(RunRecord, Set, Tenants);
        if (recording is not null) ReportResume(host, recording);
        var toRun = recording?.TenantsToRun ?? Tenants;
        var rollout = Rollout with { RunOnly = RolloutOptions.NamesOf(toRun) };
        var summary = RunRollout(host, Rollout.Select(toRun).Count, (sink, token) =>
            new RolloutRunner(Migrator).MigrateAsync(Tenants, Set, Options with { DryRun = !approved }, rollout, recording?.Wrap(sink) ?? sink, token));
        recording?.Close(summary.Cancelled);
        return summary;
    }

    /// <summary>Runs the rollout, writing each tenant's result as it finishes and the fleet's progress as it goes.</summary>
    private MigrationRunSummary RunRollout(ICommandHost host, int tenantCount, Func<IFleetSink, CancellationToken, Task<MigrationRunSummary>> work)
    {
        var progress = new FleetProgress(host, Activity, tenantCount);
        try
        {
            var summary = Drain(work, fleetEvent =>
            {
                switch (fleetEvent)
                {
                    case TenantStarted started:
                        progress.Started(started.Tenant.Name);
                        break;
                    case WaveStarted wave:
                        progress.WaveStarted(wave.Name);
                        break;
                    case MigrationStarted migration:
                        host.WriteVerbose($"{migration.Tenant.Name}: applying {migration.Migration} ({migration.Migration.Script})");
                        progress.Working(migration.Tenant.Name, $"{migration.Tenant.Name}: {migration.Migration}");
                        break;
                    case TenantFinished finished:
                        // A tenant left to the runner that holds its lock is not a failure.
                        progress.Finished(finished.Result.TenantName, finished.Result.Succeeded || finished.Result.Skipped);
                        host.WriteObject(finished.Result);
                        if (finished.Result.Skipped) host.WriteVerbose($"{finished.Result.TenantName}: Skipped (locked by another runner).");
                        else if (!finished.Result.Succeeded) host.WriteError(TenantErrors.ForResult(finished.Result));
                        break;
                    case FleetLog { Level: FleetLogLevel.Warning } warning:
                        host.WriteWarning(warning.Message);
                        break;
                    case FleetLog { Level: FleetLogLevel.Information } information:
                        host.WriteInformation(information.Message);
                        break;
                    case FleetLog log:
                        Log(host, log);
                        break;
                }
            });
            summary.IsUndo = Options.Undo is not null;
            // A host that asked once for the fleet prints the summary it gets back; the cmdlets have only this line.
            if (AskPerTenant) host.WriteVerbose(summary.ToString());
            if (summary.StoppedBy != RunStopReason.None) host.WriteWarning(summary.ToString());
            return summary;
        }
        finally
        {
            progress.Complete();
        }
    }

    /// <summary>Joins the shared run with the approved tenants and migrates those this runner claims.</summary>
    private async Task<MigrationRunSummary> MigrateSharedAsync(SharedRunRequest request, IReadOnlyList<Tenant> approved, RolloutOptions rollout, IFleetSink sink, CancellationToken cancellationToken)
    {
        try
        {
            await using var run = await Rollouts.SharedRuns.SharedRun.JoinAsync(request.Store, request.RunId, request.Resume, Set, approved, request.Options, request.Lease, cancellationToken).ConfigureAwait(false);
            foreach (var warning in run.Warnings) sink.Post(new FleetLog(FleetLogLevel.Warning, warning));
            AlreadyDone = run.AlreadyDone;
            sink.Post(new FleetLog(FleetLogLevel.Information, $"Run {run.RunId} in the {request.Store.Location}: runner {run.RunnerId} claims tenants with a {DurationText.Format(request.Lease)} lease; {run.AlreadyDone} of this runner's tenants already done."));
            var summary = await new RolloutRunner(Migrator).MigrateClaimedAsync(run, approved, Set, Options with { DryRun = false, RunId = run.RunId }, rollout, sink, cancellationToken).ConfigureAwait(false);
            await run.CloseAsync(cancellationToken).ConfigureAwait(false);
            return summary;
        }
        catch (RunNotFoundException ex)
        {
            throw new CommandTerminatingException(new CommandError(RunRecordsCommand.RunNotFound, "ObjectNotFound", ex.Message, request.RunId, ex));
        }
        catch (SharedRunStoreException ex)
        {
            throw new CommandTerminatingException(new CommandError(RunRecordsCommand.RunStoreUnreachable, "ConnectionError", ex.Message, request.RunId, ex));
        }
        catch (ArgumentException ex)
        {
            throw new CommandTerminatingException(new CommandError(RunRecordsCommand.InvalidRunStore, "InvalidArgument", ex.Message, request.RunId, ex));
        }
    }

    /// <summary>The ShouldProcess action for a tenant: what it would apply, from which version.</summary>
    public static string Describe(TenantMigrationResult plan)
    {
        var versions = string.Join(", ", plan.Planned.Select(p => p.Kind == MigrationKind.Baseline ? $"baseline at {p.Version}" : p.Version ?? $"R {p.Description}"));
        var verb = plan.Planned.All(p => p.Kind == MigrationKind.Undo) ? "Undo" : "Apply";
        return $"{verb} {plan.Planned.Length} migration(s): {versions} (current version: {plan.VersionBefore ?? "none"})";
    }

    public static string Target(Tenant tenant) => $"{tenant.Name} ({tenant.Engine})";

    /// <summary>A tenant whose plan has an error or nothing to apply ends with its plan: it is not run.</summary>
    private static bool EndsWithPlan(TenantMigrationResult plan) => plan.Error is not null || plan.Planned.Length == 0;

    private void ReportResume(ICommandHost host, RunRecording recording)
    {
        foreach (var warning in recording.Warnings) host.WriteWarning(warning);
        AlreadyDone = recording.AlreadyDone.Count;
        if (RunRecord?.Resume == true)
        {
            host.WriteInformation($"Resuming run {recording.RunId}: {recording.AlreadyDone.Count} tenants already done are skipped, {recording.TenantsToRun.Count} to run.");
        }
    }

    private Dictionary<Tenant, TenantMigrationResult> Plan(ICommandHost host, IReadOnlyList<Tenant> tenants, RunRecording? recording)
    {
        var plans = new ConcurrentDictionary<Tenant, TenantMigrationResult>();
        var progress = new FleetProgress(host, "Reading tenant state", tenants.Count);
        try
        {
            Drain((sink, token) => Migrator.MigrateAsync(tenants, Set, Options with { DryRun = true }, recording?.Wrap(sink, EndsWithPlan) ?? sink, token), fleetEvent =>
            {
                switch (fleetEvent)
                {
                    case TenantFinished finished:
                        plans[finished.Result.Tenant] = finished.Result;
                        progress.Finished(finished.Result.TenantName);
                        break;
                    case FleetLog log:
                        Log(host, log);
                        break;
                }
            });
        }
        finally
        {
            progress.Complete();
        }
        return new Dictionary<Tenant, TenantMigrationResult>(plans);
    }

    /// <summary>What -WhatIf reports for a tenant with work: the versions it would apply, and nothing changed yet.</summary>
    private TenantMigrationResult AsPlannedResult(TenantMigrationResult plan) => new()
    {
        Tenant = plan.Tenant,
        StateBefore = plan.StateBefore,
        StateAfter = plan.StateBefore,
        VersionBefore = plan.VersionBefore,
        VersionAfter = plan.VersionBefore,
        Planned = plan.Planned,
        DryRun = true,
        Duration = plan.Duration,
        RunId = Options.RunId,
    };

    private TenantMigrationResult AsRunResult(TenantMigrationResult plan) => new()
    {
        Tenant = plan.Tenant,
        StateBefore = plan.StateBefore,
        StateAfter = plan.StateAfter,
        VersionBefore = plan.VersionBefore,
        VersionAfter = plan.VersionAfter,
        Error = plan.Error,
        Duration = plan.Duration,
        RunId = Options.RunId,
    };
}

using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;

namespace TenantMigrations.Engine.Rollouts;

/// <summary>
/// Runs a migrate as a rollout over <see cref="FleetMigrator"/>: selects this runner's tenants, goes wave by wave
/// (a wave starts only when the previous one passed its gate), and stops starting tenants when the circuit breaker
/// trips or the time budget is spent. Tenants in flight always finish.
/// </summary>
/// <param name="time">The clock of the time budget and the wave delay (tests step it).</param>
public sealed class RolloutRunner(FleetMigrator? migrator = null, TimeProvider? time = null)
{
    private readonly FleetMigrator migrator = migrator ?? new FleetMigrator();
    private readonly TimeProvider time = time ?? TimeProvider.System;

    public async Task<MigrationRunSummary> MigrateAsync(IReadOnlyList<Tenant> tenants, MigrationSet set, MigrateOptions options, RolloutOptions rollout, IFleetSink sink, CancellationToken cancellationToken = default)
    {
        options.Validate();
        rollout.Validate();
        var started = time.GetTimestamp();
        TimeSpan Elapsed() => time.GetElapsedTime(started);
        bool BudgetSpent() => rollout.MaxDuration is { } budget && Elapsed() >= budget;
        var selected = rollout.Select(tenants);
        IReadOnlyList<Tenant> Runnable(IReadOnlyList<Tenant> candidates) => rollout.RunOnly is { } runOnly ? candidates.Where(t => runOnly.Contains(t.Name)).ToList() : candidates;
        var waves = rollout.WavesFor(set);
        var throttle = rollout.ThrottlePerServer is { } perServer ? new ServerThrottle(perServer) : null;

        if (waves.Count == 0)
        {
            var breaker = rollout.MaxFailures is null && rollout.MaxFailureRate is null ? null : new CircuitBreaker(rollout.MaxFailures, rollout.MaxFailureRate);
            var gate = new RolloutGate(null, breaker, BudgetSpent, throttle, verifierFor: null, rollout.SkipLocked, sink);
            var flat = await migrator.MigrateGatedAsync(Order(Runnable(selected), throttle), set, options, sink, gate, cancellationToken).ConfigureAwait(false);
            flat.StoppedBy = gate.StoppedBy;
            flat.Duration = Elapsed();
            return flat;
        }

        var planned = WavePlan.Assign(selected, waves, out var unassigned);
        if (unassigned.Count > 0 && rollout.OnlyWave is null)
        {
            sink.Post(new FleetLog(FleetLogLevel.Warning, $"{unassigned.Count} tenants are in no wave and are left out of the run (add a last wave without a selector to take the rest): {string.Join(", ", unassigned.Take(10).Select(t => t.Name))}{(unassigned.Count > 10 ? ", ..." : "")}."));
        }
        var summaries = new List<MigrationRunSummary>();
        var outcomes = new List<WaveOutcome>();
        var stoppedBy = RunStopReason.None;
        var cancelled = false;
        var ranOne = false;
        for (var index = 0; index < planned.Count; index++)
        {
            var (wave, waveTenants) = (planned[index].Wave, Runnable(planned[index].Tenants));
            if (rollout.OnlyWave is not null && !wave.Name.Equals(rollout.OnlyWave, StringComparison.OrdinalIgnoreCase)) continue;
            if (stoppedBy != RunStopReason.None || cancelled)
            {
                outcomes.Add(new WaveOutcome { Name = wave.Name, Total = waveTenants.Count, NotStarted = waveTenants.Count });
                continue;
            }
            if (ranOne && rollout.WaveDelay > TimeSpan.Zero && !options.DryRun && waveTenants.Count > 0)
            {
                var wait = rollout.MaxDuration is { } budget ? TimeSpan.FromTicks(Math.Max(0, Math.Min(rollout.WaveDelay.Ticks, (budget - Elapsed()).Ticks))) : rollout.WaveDelay;
                sink.Post(new FleetLog(FleetLogLevel.Verbose, $"waiting {DurationText.Format(wait)} before wave {wave.Name}."));
                try
                {
                    await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    cancelled = true;
                    outcomes.Add(new WaveOutcome { Name = wave.Name, Total = waveTenants.Count, NotStarted = waveTenants.Count });
                    continue;
                }
            }
            var breaker = index == 0
                ? new CircuitBreaker(wave.MaxFailures ?? 0, wave.MaxFailureRate)
                : new CircuitBreaker(wave.MaxFailures ?? rollout.MaxFailures, wave.MaxFailureRate ?? rollout.MaxFailureRate);
            var verifiers = wave.Verify && set.Verify.Count > 0 ? RolloutGate.Verifiers(migrator.DialectFor, set, options.Limits) : null;
            var gate = new RolloutGate(wave.Name, breaker, BudgetSpent, throttle, verifiers, rollout.SkipLocked, sink);
            sink.Post(new FleetLog(FleetLogLevel.Verbose, $"wave {wave.Name}: {waveTenants.Count} tenants; allowance: {breaker.Describe()}."));
            sink.Post(new WaveStarted(wave.Name, waveTenants.Count));
            var summary = await migrator.MigrateGatedAsync(Order(waveTenants, throttle), set, options, sink, gate, cancellationToken).ConfigureAwait(false);
            ranOne = true;
            summaries.Add(summary);
            cancelled = summary.Cancelled;
            var finished = summary.Total - summary.Skipped;
            var outcome = new WaveOutcome
            {
                Name = wave.Name,
                Total = waveTenants.Count,
                Succeeded = summary.Succeeded,
                Failed = summary.FailedTenants.Length,
                VerificationFailed = summary.VerificationFailed,
                SkippedLocked = summary.SkippedLocked,
                NotStarted = summary.Skipped,
                Passed = gate.StoppedBy == RunStopReason.None && !cancelled && breaker.Within(finished),
            };
            outcomes.Add(outcome);
            var laterWaves = index < planned.Count - 1 && rollout.OnlyWave is null;
            if (gate.StoppedBy == RunStopReason.TimeBudget)
            {
                stoppedBy = RunStopReason.TimeBudget;
            }
            else if (!outcome.Passed && !cancelled && (laterWaves || gate.StoppedBy != RunStopReason.None))
            {
                // Inside a wave the breaker is the wave's allowance: crossing it is that wave's gate closing.
                stoppedBy = RunStopReason.WaveGate;
                var next = laterWaves ? "the next waves do not start" : "its remaining tenants did not start";
                sink.Post(new FleetLog(FleetLogLevel.Warning, $"wave {wave.Name} did not pass its gate ({outcome.Failed} of {finished} tenants failed, {outcome.VerificationFailed} of them in verification; allowance: {breaker.Describe()}); {next}."));
            }
        }

        var total = new MigrationRunSummary
        {
            RunId = options.RunId,
            Total = outcomes.Sum(o => o.Total),
            Succeeded = summaries.Sum(s => s.Succeeded),
            Failed = summaries.Sum(s => s.Failed),
            Locked = summaries.Sum(s => s.Locked),
            Blocked = summaries.Sum(s => s.Blocked),
            Unreachable = summaries.Sum(s => s.Unreachable),
            Skipped = outcomes.Sum(o => o.NotStarted),
            SkippedLocked = summaries.Sum(s => s.SkippedLocked),
            VerificationFailed = summaries.Sum(s => s.VerificationFailed),
            MigrationsApplied = summaries.Sum(s => s.MigrationsApplied),
            FailedTenants = [.. summaries.SelectMany(s => s.FailedTenants).Order(StringComparer.OrdinalIgnoreCase)],
            Cancelled = cancelled,
            StoppedBy = stoppedBy,
            Waves = [.. outcomes],
            Duration = Elapsed(),
        };
        return total;
    }

    /// <summary>
    /// Runs this runner's part of a shared run: its workers pull the tenants it claims from the run store, under the
    /// rollout's breaker, time budget, per-server throttle and skip-locked, until the run has nothing left for it.
    /// A flat run only: waves gate on the whole fleet, which one runner of many cannot see.
    /// </summary>
    public async Task<MigrationRunSummary> MigrateClaimedAsync(SharedRuns.SharedRun run, IReadOnlyList<Tenant> tenants, MigrationSet set, MigrateOptions options, RolloutOptions rollout, IFleetSink sink, CancellationToken cancellationToken = default)
    {
        options.Validate();
        rollout.Validate();
        SharedRuns.SharedRun.RefuseWaves(rollout, set);
        var started = time.GetTimestamp();
        TimeSpan Elapsed() => time.GetElapsedTime(started);
        bool BudgetSpent() => rollout.MaxDuration is { } budget && Elapsed() >= budget;
        var throttle = rollout.ThrottlePerServer is { } perServer ? new ServerThrottle(perServer) : null;
        var breaker = rollout.MaxFailures is null && rollout.MaxFailureRate is null ? null : new CircuitBreaker(rollout.MaxFailures, rollout.MaxFailureRate);
        var gate = new RolloutGate(null, breaker, BudgetSpent, throttle, verifierFor: null, rollout.SkipLocked, sink);
        await using var claims = new SharedRuns.TenantClaimQueue(run, rollout.Select(tenants), options.ThrottleLimit, sink);
        var summary = await migrator.MigratePulledAsync(claims.NextAsync, set, options, sink, new SharedRuns.ClaimGate(gate, claims), cancellationToken).ConfigureAwait(false);
        summary.StoppedBy = gate.StoppedBy;
        summary.Duration = Elapsed();
        return summary;
    }

    private static IReadOnlyList<Tenant> Order(IReadOnlyList<Tenant> tenants, ServerThrottle? throttle) =>
        throttle is null ? tenants : ServerThrottle.Interleave(tenants);
}

using TenantMigrations.Engine.Dialects;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;

namespace TenantMigrations.Engine.Rollouts;

/// <summary>
/// Decides for one flat run or one wave whether a tenant may start (breaker, time budget, per-server slot) and
/// completes each result (skip-locked, verification) before it is reported and counted.
/// </summary>
internal sealed class RolloutGate(
    string? wave,
    CircuitBreaker? breaker,
    Func<bool> budgetSpent,
    ServerThrottle? throttle,
    Func<Tenant, TenantVerifier>? verifierFor,
    bool skipLocked,
    IFleetSink sink) : ITenantGate
{
    private int stopReason;

    public RunStopReason StoppedBy => (RunStopReason)Volatile.Read(ref stopReason);

    public async Task<IDisposable?> EnterAsync(Tenant tenant, CancellationToken cancellationToken)
    {
        if (!MayStart()) return null;
        var slot = throttle is null ? null : await throttle.EnterAsync(tenant, cancellationToken).ConfigureAwait(false);
        if (MayStart()) return slot ?? NoSlot;
        slot?.Dispose();
        return null;
    }

    public async Task<TenantMigrationResult> CompleteAsync(TenantMigrationResult result, CancellationToken cancellationToken)
    {
        result.Wave = wave;
        if (skipLocked && result.Error?.ErrorId == ErrorIds.TenantLocked)
        {
            result.Skipped = true;
            result.Error = null;
        }
        else if (verifierFor is not null && !result.DryRun && result.Succeeded && result.Applied.Length > 0)
        {
            result.Error = await verifierFor(result.Tenant).VerifyAsync(result.Tenant, result.Applied, cancellationToken).ConfigureAwait(false);
        }
        if (breaker is not null && breaker.Record(failed: !result.Succeeded && !result.Skipped))
        {
            Stop(RunStopReason.CircuitBreaker);
            sink.Post(new FleetLog(FleetLogLevel.Warning, $"circuit breaker{(wave is null ? "" : $" of wave {wave}")}: {breaker.Failures} tenants failed, beyond the allowance ({breaker.Describe()}); no new tenant starts."));
        }
        return result;
    }

    private bool MayStart()
    {
        if (StoppedBy != RunStopReason.None) return false;
        if (!budgetSpent()) return true;
        if (Stop(RunStopReason.TimeBudget)) sink.Post(new FleetLog(FleetLogLevel.Warning, "the time budget (--max-duration) is spent; no new tenant starts."));
        return false;
    }

    private bool Stop(RunStopReason reason) => Interlocked.CompareExchange(ref stopReason, (int)reason, (int)RunStopReason.None) == (int)RunStopReason.None;

    private static readonly IDisposable NoSlot = new EmptySlot();

    private sealed class EmptySlot : IDisposable
    {
        public void Dispose() { }
    }

    public static Func<Tenant, TenantVerifier> Verifiers(Func<Tenant, IDatabaseDialect> dialectFor, MigrationSet set, ConnectionLimits limits) =>
        tenant => new TenantVerifier(dialectFor(tenant), set, limits);
}

/// <summary>Lets a rollout decide, tenant by tenant, whether the fleet loop starts it, and complete its result.</summary>
internal interface ITenantGate
{
    /// <summary>A slot to hold while the tenant runs, or null: the tenant is not started.</summary>
    Task<IDisposable?> EnterAsync(Tenant tenant, CancellationToken cancellationToken);

    Task<TenantMigrationResult> CompleteAsync(TenantMigrationResult result, CancellationToken cancellationToken);
}

using TenantMigrations.Engine.Execution;

namespace TenantMigrations.Engine.Rollouts.SharedRuns;

/// <summary>
/// Hands this runner's workers the tenants it claims from a shared run, a small batch at a time, and keeps the
/// leases of the tenants it holds moving while they run. When nothing is left to claim but other runners still hold
/// tenants, it waits: if such a runner dies, its leases run out and this runner takes its tenants over.
/// </summary>
internal sealed class TenantClaimQueue : IAsyncDisposable
{
    private readonly SharedRun run;
    private readonly IFleetSink sink;
    private readonly int batchSize;
    private readonly Dictionary<string, Tenant> known;
    private readonly Queue<Tenant> claimed = new();
    private readonly HashSet<string> held = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> foreign = new(StringComparer.OrdinalIgnoreCase);
    private readonly object heldGate = new();
    private readonly SemaphoreSlim claimGate = new(1, 1);
    private readonly CancellationTokenSource renewalStop = new();
    private readonly Task renewal;
    private volatile bool stopped;

    public TenantClaimQueue(SharedRun run, IReadOnlyList<Tenant> tenants, int throttle, IFleetSink sink)
    {
        this.run = run;
        this.sink = sink;
        known = tenants.ToDictionary(t => t.Name, StringComparer.OrdinalIgnoreCase);
        // Small batches: a runner never sits on tenants that idle runners could take.
        batchSize = Math.Clamp(throttle / 2, 1, 16);
        renewal = RenewLeasesAsync(renewalStop.Token);
    }

    /// <summary>How often a runner with nothing to claim looks again, while other runners hold tenants.</summary>
    /// <remarks>Every runner waits for the last tenants of the others before it exits: a short poll keeps that tail short.</remarks>
    private TimeSpan PollInterval => TimeSpan.FromMilliseconds(Math.Clamp(run.Lease.TotalMilliseconds / 4, 100, 500));

    /// <summary>The next tenant this runner claimed, or null when the run has nothing left for it.</summary>
    public async Task<Tenant?> NextAsync(CancellationToken cancellationToken)
    {
        await claimGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (!stopped)
            {
                if (claimed.TryDequeue(out var next)) return next;
                var names = await run.ClaimAsync(batchSize, Snapshot(foreign), cancellationToken).ConfigureAwait(false);
                foreach (var name in names)
                {
                    if (known.TryGetValue(name, out var tenant))
                    {
                        lock (heldGate) held.Add(name);
                        claimed.Enqueue(tenant);
                    }
                    else
                    {
                        // Another runner selected this tenant; this one cannot reach it.
                        foreign.Add(name);
                        await run.ReleaseAsync(name).ConfigureAwait(false);
                        sink.Post(new FleetLog(FleetLogLevel.Verbose, $"run {run.RunId}: tenant {name} is not among this runner's tenants; left to the others."));
                    }
                }
                if (names.Count > 0) continue;
                var open = await run.CountOpenAsync([.. Snapshot(foreign), .. HeldNames()], cancellationToken).ConfigureAwait(false);
                if (open == 0) return null;
                await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
            }
            return null;
        }
        finally
        {
            claimGate.Release();
        }
    }

    /// <summary>Writes a finished tenant to the run; a tenant skipped as locked is left to its lease (its holder writes it).</summary>
    public async Task FinishAsync(TenantMigrationResult result)
    {
        lock (heldGate) held.Remove(result.TenantName);
        if (result.Skipped) return;
        try
        {
            await run.FinishAsync(result).ConfigureAwait(false);
        }
        catch (SharedRunStoreException ex)
        {
            sink.Post(new FleetLog(FleetLogLevel.Warning, $"run {run.RunId}: the outcome of tenant {result.TenantName} was not written to the run store ({ex.Message}); its lease will run out and a runner will find it up to date."));
        }
    }

    /// <summary>No tenant starts any more (breaker, time budget): this one and the claimed ones not started go back to the others.</summary>
    public async Task StopAsync(Tenant notStarted)
    {
        stopped = true;
        await claimGate.WaitAsync().ConfigureAwait(false);
        try
        {
            await GiveBackAsync(notStarted.Name).ConfigureAwait(false);
            while (claimed.TryDequeue(out var tenant)) await GiveBackAsync(tenant.Name).ConfigureAwait(false);
        }
        finally
        {
            claimGate.Release();
        }
    }

    private async Task GiveBackAsync(string name)
    {
        lock (heldGate) held.Remove(name);
        try
        {
            await run.ReleaseAsync(name).ConfigureAwait(false);
        }
        catch (SharedRunStoreException)
        {
            // Its lease runs out instead.
        }
    }

    private async Task RenewLeasesAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(run.Lease / 3);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await run.RenewAsync(HeldNames(), cancellationToken).ConfigureAwait(false);
                }
                catch (SharedRunStoreException ex)
                {
                    sink.Post(new FleetLog(FleetLogLevel.Warning, $"run {run.RunId}: the leases could not be renewed ({ex.Message}); another runner may take over this runner's tenants, whose own locks still keep them from running twice."));
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private List<string> HeldNames()
    {
        lock (heldGate) return [.. held];
    }

    private static List<string> Snapshot(HashSet<string> names) => [.. names];

    /// <summary>Stops the renewals; claimed tenants that never started (cancelled) go back to the others.</summary>
    public async ValueTask DisposeAsync()
    {
        await renewalStop.CancelAsync().ConfigureAwait(false);
        await renewal.ConfigureAwait(false);
        renewalStop.Dispose();
        stopped = true;
        while (claimed.TryDequeue(out var tenant)) await GiveBackAsync(tenant.Name).ConfigureAwait(false);
    }
}

using TenantMigrations.Engine.Execution;

namespace TenantMigrations.Engine.Commands;

/// <summary>
/// Runs engine work on the thread pool and hands its events to the calling (pipeline) thread as they are posted.
/// Unlike an awaited channel read, the blocked consumer is woken directly by the posting worker, so events are not
/// delayed when the workers keep every thread-pool thread busy (measured: about 1 s per event with 2 cores and
/// synchronous SQLite work). The consumer waits on a monitor, which does not spin: a BlockingCollection's semaphore
/// spun and yielded before every wait, 165,000 sched_yield calls and a fifth of the client's CPU in a fresh migrate of
/// 500 MariaDB databases.
/// </summary>
public sealed class FleetEventPump<TResult> : IFleetSink, IDisposable
{
    private readonly Queue<FleetEvent> events = new();
    private bool workEnded;
    private readonly CancellationTokenSource cancellation;
    private readonly Task<TResult> work;

    public FleetEventPump(Func<IFleetSink, CancellationToken, Task<TResult>> start, CancellationToken cancellationToken)
    {
        cancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        work = Task.Run(async () =>
        {
            try
            {
                return await start(this, cancellation.Token).ConfigureAwait(false);
            }
            finally
            {
                lock (events)
                {
                    workEnded = true;
                    Monitor.Pulse(events);
                }
            }
        });
    }

    public void Post(FleetEvent fleetEvent)
    {
        lock (events)
        {
            // Posted after the work ended (a late log line): nobody is listening any more.
            if (workEnded) return;
            events.Enqueue(fleetEvent);
            if (events.Count == 1) Monitor.Pulse(events);
        }
    }

    /// <summary>
    /// How long the consumer lets events gather after handling some. Woken for each event of a fast fleet, it cost the
    /// workers a system call and a context switch per tenant (a twentieth of the CPU of a 10,000-file status); the
    /// pause bounds the wake-ups to a few hundred a second and delays no event by more than itself.
    /// </summary>
    private static readonly TimeSpan GatherPause = TimeSpan.FromMilliseconds(2);

    /// <summary>Blocks the calling thread and yields events as they arrive, until the work ends.</summary>
    public IEnumerable<FleetEvent> ConsumeEvents()
    {
        var taken = new List<FleetEvent>();
        while (TakeAll(taken))
        {
            foreach (var fleetEvent in taken) yield return fleetEvent;
            taken.Clear();
            if (!work.IsCompleted) Thread.Sleep(GatherPause);
        }
    }

    /// <summary>Waits until events are queued or the work has ended, and takes every queued event; false when none are left.</summary>
    private bool TakeAll(List<FleetEvent> taken)
    {
        lock (events)
        {
            while (events.Count == 0 && !workEnded) Monitor.Wait(events);
            taken.AddRange(events);
            events.Clear();
            return taken.Count > 0;
        }
    }

    /// <summary>The work's result once <see cref="ConsumeEvents"/> has finished; rethrows the work's exception.</summary>
    public TResult Result => work.GetAwaiter().GetResult();

    public void Dispose()
    {
        cancellation.Cancel();
        try
        {
            work.Wait(TimeSpan.FromSeconds(30));
        }
        catch (AggregateException)
        {
            // The work's failure was already reported through Result, or the caller is unwinding from its own error.
        }
        cancellation.Dispose();
    }
}

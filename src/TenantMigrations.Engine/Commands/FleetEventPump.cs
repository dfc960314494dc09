using System.Collections.Concurrent;
using TenantMigrations.Engine.Execution;

namespace TenantMigrations.Engine.Commands;

/// <summary>
/// Runs engine work on the thread pool and hands its events to the calling (pipeline) thread as they are posted.
/// Unlike an awaited channel read, the blocked consumer is woken directly by the posting worker, so events are not
/// delayed when the workers keep every thread-pool thread busy (measured: about 1 s per event with 2 cores and
/// synchronous SQLite work).
/// </summary>
public sealed class FleetEventPump<TResult> : IFleetSink, IDisposable
{
    private readonly BlockingCollection<FleetEvent> events = new();
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
                events.CompleteAdding();
            }
        });
    }

    public void Post(FleetEvent fleetEvent)
    {
        try
        {
            events.Add(fleetEvent);
        }
        catch (InvalidOperationException)
        {
            // Posted after the work ended (a late log line): nobody is listening any more.
        }
    }

    /// <summary>Blocks the calling thread and yields events as they arrive, until the work ends.</summary>
    public IEnumerable<FleetEvent> ConsumeEvents() => events.GetConsumingEnumerable();

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
        events.Dispose();
    }
}

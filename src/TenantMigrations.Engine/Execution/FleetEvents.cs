using System.Threading.Channels;

namespace TenantMigrations.Engine.Execution;

/// <summary>Something a fleet run reports while it works. Workers post them; only the consumer's thread turns them into output.</summary>
public abstract record FleetEvent;

public sealed record TenantStarted(Tenant Tenant) : FleetEvent;

public sealed record MigrationStarted(Tenant Tenant, AppliedMigration Migration) : FleetEvent;

public sealed record TenantFinished(TenantMigrationResult Result) : FleetEvent;

public sealed record TenantStatusRead(TenantMigrationStatus Status) : FleetEvent;

public enum FleetLogLevel { Verbose, Warning }

public sealed record FleetLog(FleetLogLevel Level, string Message) : FleetEvent;

/// <summary>Where a run reports. Implementations must be thread-safe: workers call it concurrently.</summary>
public interface IFleetSink
{
    void Post(FleetEvent fleetEvent);
}

public sealed class NullFleetSink : IFleetSink
{
    public void Post(FleetEvent fleetEvent) { }
}

/// <summary>
/// Runs engine work on background threads and hands its events to one consuming thread, the way a cmdlet
/// must: WriteObject, WriteError and WriteProgress only ever happen on the pipeline thread.
/// </summary>
public sealed class FleetEventQueue<TResult> : IFleetSink, IDisposable
{
    private readonly Channel<FleetEvent> channel = Channel.CreateUnbounded<FleetEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource cancellation;
    private readonly Task<TResult> work;

    public FleetEventQueue(Func<IFleetSink, CancellationToken, Task<TResult>> start, CancellationToken cancellationToken = default)
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
                channel.Writer.TryComplete();
            }
        });
    }

    public void Post(FleetEvent fleetEvent) => channel.Writer.TryWrite(fleetEvent);

    /// <summary>Blocks the calling thread and yields events as they arrive, until the work ends.</summary>
    public IEnumerable<FleetEvent> ConsumeEvents()
    {
        var reader = channel.Reader;
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (reader.TryRead(out var fleetEvent)) yield return fleetEvent;
        }
    }

    /// <summary>The work's result, once <see cref="ConsumeEvents"/> has finished; rethrows the work's exception.</summary>
    public TResult Result => work.GetAwaiter().GetResult();

    public void Cancel() => cancellation.Cancel();

    public void Dispose()
    {
        cancellation.Cancel();
        try { work.Wait(TimeSpan.FromSeconds(30)); } catch (AggregateException) { }
        cancellation.Dispose();
    }
}

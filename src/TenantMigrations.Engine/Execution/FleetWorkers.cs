namespace TenantMigrations.Engine.Execution;

/// <summary>
/// Runs items with a bounded degree of parallelism on dedicated threads. Drivers such as Microsoft.Data.Sqlite
/// do their work synchronously, and on thread-pool threads a fleet would only widen as fast as the pool grows.
/// </summary>
internal static class FleetWorkers
{
    /// <summary>Stops taking new items once cancelled, then throws OperationCanceledException after the items in flight end.</summary>
    public static async Task ForEachAsync<T>(IReadOnlyList<T> items, int degree, Func<T, CancellationToken, Task> body, CancellationToken cancellationToken)
    {
        var next = -1;
        var workers = Enumerable.Range(0, Math.Clamp(degree, 1, Math.Max(1, items.Count)))
            .Select(_ => Task.Factory.StartNew(
                async () =>
                {
                    int index;
                    while (!cancellationToken.IsCancellationRequested && (index = Interlocked.Increment(ref next)) < items.Count)
                    {
                        await body(items[index], cancellationToken).ConfigureAwait(false);
                    }
                },
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default).Unwrap())
            .ToList();
        await Task.WhenAll(workers).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>As <see cref="ForEachAsync{T}"/>, over items each worker pulls when it is free, until <paramref name="next"/> returns null.</summary>
    public static async Task ForEachPulledAsync<T>(Func<CancellationToken, Task<T?>> next, int degree, Func<T, CancellationToken, Task> body, CancellationToken cancellationToken) where T : class
    {
        var workers = Enumerable.Range(0, Math.Max(1, degree))
            .Select(_ => Task.Factory.StartNew(
                async () =>
                {
                    while (!cancellationToken.IsCancellationRequested && await next(cancellationToken).ConfigureAwait(false) is { } item)
                    {
                        await body(item, cancellationToken).ConfigureAwait(false);
                    }
                },
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default).Unwrap())
            .ToList();
        await Task.WhenAll(workers).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
    }
}

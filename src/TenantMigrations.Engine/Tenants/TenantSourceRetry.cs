using Polly;
using Polly.Retry;
using TenantMigrations.Engine.Dialects;

namespace TenantMigrations.Engine.Tenants;

/// <summary>
/// Bounded exponential backoff for tenant discovery and catalog queries: a server that is restarting or briefly
/// refusing connections is retried; a transient error that outlasts the retries becomes a
/// TenantSourceUnreachableException (a failure, not invalid input), and any other error is left as it is.
/// </summary>
public static class TenantSourceRetry
{
    public const int MaxAttempts = 4;

    public static readonly TimeSpan BaseDelay = TimeSpan.FromMilliseconds(250);

    public static async Task<T> RunAsync<T>(IDatabaseDialect dialect, string source, Tenant probe, Func<CancellationToken, Task<T>> read, Action<string>? onRetry, CancellationToken cancellationToken)
    {
        var pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = MaxAttempts - 1,
                Delay = BaseDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => ex is not OperationCanceledException && dialect.IsTransient(ex)),
                OnRetry = args =>
                {
                    onRetry?.Invoke($"{source}: transient error, retry {args.AttemptNumber + 1} of {MaxAttempts - 1} in {args.RetryDelay.TotalMilliseconds:0} ms: {Execution.Redaction.MessageOf(args.Outcome.Exception, probe)}");
                    return default;
                },
            })
            .Build();
        try
        {
            return await pipeline.ExecuteAsync(async token => await read(token).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && dialect.IsTransient(ex))
        {
            throw new TenantSourceUnreachableException(source, $"unreachable after {MaxAttempts} attempts: {Execution.Redaction.MessageOf(ex, probe)}");
        }
    }
}

/// <summary>A tenant source that could not be reached, even after retries: the run fails (exit 1), the input was not wrong.</summary>
public sealed class TenantSourceUnreachableException(string source, string problem) : TenantSourceException(source, problem);

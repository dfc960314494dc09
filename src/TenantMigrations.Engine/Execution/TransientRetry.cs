using Polly;
using Polly.Retry;
using TenantMigrations.Engine.Dialects;

namespace TenantMigrations.Engine.Execution;

/// <summary>Bounded exponential backoff for connection-level failures; SQL errors in a migration are never retried.</summary>
public static class TransientRetry
{
    public static ResiliencePipeline Create(IDatabaseDialect dialect, MigrateOptions options, IFleetSink sink, Tenant tenant) =>
        Create(options, sink, tenant, ex => ex is not OperationCanceledException && dialect.IsTransient(ex));

    /// <summary>Retries what <paramref name="shouldRetry"/> accepts; each retry is reported as a verbose line, not a warning.</summary>
    public static ResiliencePipeline Create(MigrateOptions options, IFleetSink sink, Tenant tenant, Func<Exception, bool> shouldRetry) =>
        options.MaxAttempts <= 1 ? ResiliencePipeline.Empty : new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxAttempts - 1,
                Delay = options.RetryBaseDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = new PredicateBuilder().Handle(shouldRetry),
                OnRetry = args =>
                {
                    sink.Post(new TenantRetrying(tenant, $"{tenant.Name}: transient error, retry {args.AttemptNumber + 1} in {args.RetryDelay.TotalMilliseconds:0} ms: {Redaction.MessageOf(args.Outcome.Exception, tenant)}"));
                    return default;
                },
            })
            .Build();
}

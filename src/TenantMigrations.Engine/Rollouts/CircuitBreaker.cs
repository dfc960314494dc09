namespace TenantMigrations.Engine.Rollouts;

/// <summary>
/// Counts finished tenants and trips once the failures exceed the allowance: more than <see cref="MaxFailures"/>, or
/// a failure rate above <see cref="MaxFailureRate"/> percent once at least <see cref="MinimumFinished"/> tenants
/// finished. Thread-safe: workers report concurrently.
/// </summary>
public sealed class CircuitBreaker(int? maxFailures, double? maxFailureRate)
{
    /// <summary>A rate over a handful of tenants says little: it counts only after this many finished.</summary>
    public const int MinimumFinished = 20;

    private readonly object gate = new();
    private int finished;
    private int failures;

    public int? MaxFailures { get; } = maxFailures;

    public double? MaxFailureRate { get; } = maxFailureRate;

    public bool Tripped { get; private set; }

    public int Failures
    {
        get { lock (gate) return failures; }
    }

    /// <summary>Records one finished tenant; returns true when this result tripped the breaker.</summary>
    public bool Record(bool failed)
    {
        lock (gate)
        {
            finished++;
            if (failed) failures++;
            if (Tripped) return false;
            Tripped = failures > MaxFailures
                || MaxFailureRate is { } rate && finished >= MinimumFinished && failures * 100.0 / finished > rate;
            return Tripped;
        }
    }

    /// <summary>Whether a whole wave of <paramref name="total"/> finished tenants stayed within the allowance (the rate over all of them).</summary>
    public bool Within(int total)
    {
        lock (gate)
        {
            if (failures > MaxFailures) return false;
            return MaxFailureRate is not { } rate || total == 0 || failures * 100.0 / total <= rate;
        }
    }

    public string Describe() => (MaxFailures, MaxFailureRate) switch
    {
        ({ } n, { } r) => $"more than {n} failed tenants or a failure rate above {r:0.##}%",
        ({ } n, null) => $"more than {n} failed tenants",
        (null, { } r) => $"a failure rate above {r:0.##}% (after {MinimumFinished} tenants)",
        _ => "no limit",
    };
}

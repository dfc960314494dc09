using System.Diagnostics;
using System.Globalization;

namespace TenantMigrations.Engine.Commands;

/// <summary>
/// The figures people watch during a fleet run: tenants done out of the total, how many did not succeed, how many are
/// in flight and the time left at the pace so far. The CLI's progress lines and Write-Progress both come from here.
/// Thread-safe: the CLI counts from the engine's workers.
/// </summary>
public sealed class FleetProgressCounter(int total)
{
    private readonly object gate = new();
    private readonly long startedAt = Stopwatch.GetTimestamp();
    private readonly HashSet<string> inFlight = new(StringComparer.OrdinalIgnoreCase);
    private int done;
    private int failed;
    private string? wave;

    /// <summary>The wave a rollout is in, shown with the figures from now on.</summary>
    public void WaveStarted(string name)
    {
        lock (gate) wave = name;
    }

    public void Started(string tenantName)
    {
        lock (gate) inFlight.Add(tenantName);
    }

    /// <param name="succeeded">False for every tenant that did not end up to date: failed, blocked, locked or unreachable.</param>
    public void Finished(string tenantName, bool succeeded)
    {
        lock (gate)
        {
            inFlight.Remove(tenantName);
            done++;
            if (!succeeded) failed++;
        }
    }

    public FleetProgressFigures Figures
    {
        get
        {
            lock (gate)
            {
                var elapsed = Stopwatch.GetElapsedTime(startedAt);
                TimeSpan? remaining = done == 0 || done >= total ? null : elapsed / done * (total - done);
                return new FleetProgressFigures(done, total, failed, inFlight.Count, elapsed, remaining) { Wave = wave };
            }
        }
    }
}

/// <summary>One reading of a <see cref="FleetProgressCounter"/>. <see cref="Remaining"/> is unknown until a tenant has finished.</summary>
public sealed record FleetProgressFigures(int Done, int Total, int Failed, int InFlight, TimeSpan Elapsed, TimeSpan? Remaining)
{
    public int Percent => Total == 0 ? 100 : Math.Min(100, Done * 100 / Total);

    /// <summary>The current wave of a rollout; null for a flat run.</summary>
    public string? Wave { get; init; }

    public override string ToString() =>
        (Wave is null ? "" : $"wave {Wave}: ") + $"{Done} of {Total} tenants, {Failed} failed, {InFlight} in flight" + (Remaining is { } left ? $", about {Describe(left)} left" : "");

    /// <summary>"1h 05m", "4m 10s", "12s": as precise as a person needs.</summary>
    public static string Describe(TimeSpan time) =>
        time.TotalHours >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{(int)time.TotalHours}h {time.Minutes:00}m")
        : time.TotalMinutes >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{time.Minutes}m {time.Seconds:00}s")
        : string.Create(CultureInfo.InvariantCulture, $"{Math.Max(1, (int)Math.Ceiling(time.TotalSeconds))}s");
}

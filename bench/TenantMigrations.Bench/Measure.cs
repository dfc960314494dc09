using System.Diagnostics;

/// <summary>Wall-clock timing for the fleet benchmarks; results are printed, never asserted.</summary>
internal static class Measure
{
    public static async Task<TimeSpan> TimeAsync(Func<Task> action)
    {
        var clock = Stopwatch.StartNew();
        await action();
        return clock.Elapsed;
    }

    /// <summary>The fastest of several runs: status is what operators run over and over.</summary>
    public static async Task<TimeSpan> BestOfAsync(int runs, Func<Task> action)
    {
        var best = TimeSpan.MaxValue;
        for (var i = 0; i < runs; i++)
        {
            var elapsed = await TimeAsync(action);
            if (elapsed < best) best = elapsed;
        }
        return best;
    }

    public static void Report(string what, TimeSpan ours, TimeSpan baseline) =>
        Console.WriteLine($"{what,-14} ours {ours.TotalMilliseconds,9:0} ms   hand-written loop {baseline.TotalMilliseconds,9:0} ms   ratio {baseline / ours,6:0.0}x");
}

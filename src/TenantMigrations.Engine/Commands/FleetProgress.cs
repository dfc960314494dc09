namespace TenantMigrations.Engine.Commands;

/// <summary>
/// The two Write-Progress records of a fleet command: a parent with the figures of a <see cref="FleetProgressCounter"/>
/// (done of total, failed, in flight, time left) and a child for the tenants in flight. Used on the consuming thread only.
/// </summary>
public sealed class FleetProgress(ICommandHost host, string activity, int total)
{
    public const int ParentId = 1;
    public const int ChildId = 2;

    private readonly List<string> running = [];
    private readonly FleetProgressCounter counter = new(total);

    public int Done => counter.Figures.Done;

    public void Started(string tenantName, string? operation = null)
    {
        Track(tenantName);
        Report(operation ?? $"{tenantName}: started");
    }

    public void Working(string tenantName, string operation)
    {
        Track(tenantName);
        Report(operation);
    }

    /// <param name="succeeded">False when the tenant did not end up to date; it counts as failed in the figures.</param>
    public void Finished(string tenantName, bool succeeded = true)
    {
        running.Remove(tenantName);
        counter.Finished(tenantName, succeeded);
        Report(null);
    }

    public void WaveStarted(string name)
    {
        counter.WaveStarted(name);
        Report($"wave {name}");
    }

    public void Complete()
    {
        var figures = counter.Figures;
        host.WriteProgress(new ProgressUpdate(ChildId, "Tenants in progress", "Done", 100, ParentId, Completed: true));
        host.WriteProgress(new ProgressUpdate(ParentId, activity, $"{figures.Done} of {total} tenants", 100, Completed: true, Figures: figures));
    }

    private void Track(string tenantName)
    {
        if (running.Contains(tenantName)) return;
        running.Add(tenantName);
        counter.Started(tenantName);
    }

    private void Report(string? operation)
    {
        var figures = counter.Figures;
        var secondsLeft = figures.Remaining is { } left ? (int)Math.Ceiling(left.TotalSeconds) : -1;
        host.WriteProgress(new ProgressUpdate(ParentId, activity, figures.ToString(), figures.Percent, SecondsRemaining: secondsLeft, Figures: figures));
        var inFlight = running.Count == 0 ? "waiting" : string.Join(", ", running.Take(5)) + (running.Count > 5 ? $" and {running.Count - 5} more" : "");
        host.WriteProgress(new ProgressUpdate(ChildId, "Tenants in progress", inFlight, -1, ParentId, operation));
    }
}

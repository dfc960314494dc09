namespace TenantMigrations.Engine.Hosting;

/// <summary>
/// The two Write-Progress records of a fleet command: a parent for tenants done out of the total and a child for
/// the tenants in flight. Used on the consuming thread only.
/// </summary>
public sealed class FleetProgress(ICommandHost host, string activity, int total)
{
    public const int ParentId = 1;
    public const int ChildId = 2;

    private readonly List<string> running = [];
    private int done;

    public int Done => done;

    public void Started(string tenantName, string? operation = null)
    {
        if (!running.Contains(tenantName)) running.Add(tenantName);
        Report(operation ?? $"{tenantName}: started");
    }

    public void Working(string tenantName, string operation)
    {
        if (!running.Contains(tenantName)) running.Add(tenantName);
        Report(operation);
    }

    public void Finished(string tenantName)
    {
        running.Remove(tenantName);
        done++;
        Report(null);
    }

    public void Complete()
    {
        host.WriteProgress(new ProgressUpdate(ChildId, "Tenants in progress", "Done", 100, ParentId, Completed: true));
        host.WriteProgress(new ProgressUpdate(ParentId, activity, $"{done} of {total} tenants", 100, Completed: true));
    }

    private void Report(string? operation)
    {
        var percent = total == 0 ? 100 : Math.Min(100, done * 100 / total);
        host.WriteProgress(new ProgressUpdate(ParentId, activity, $"{done} of {total} tenants", percent));
        var inFlight = running.Count == 0 ? "waiting" : string.Join(", ", running.Take(5)) + (running.Count > 5 ? $" and {running.Count - 5} more" : "");
        host.WriteProgress(new ProgressUpdate(ChildId, "Tenants in progress", inFlight, -1, ParentId, operation));
    }
}

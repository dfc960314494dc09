using System.Collections.Concurrent;
using TenantMigrations.Engine.Execution;

namespace TenantMigrations.Engine.Tests;

public sealed class RecordingSink : IFleetSink
{
    public ConcurrentQueue<FleetEvent> Events { get; } = new();

    public Action<FleetEvent>? OnPost { get; init; }

    public void Post(FleetEvent fleetEvent)
    {
        Events.Enqueue(fleetEvent);
        OnPost?.Invoke(fleetEvent);
    }

    public IReadOnlyList<TenantMigrationResult> Results => Events.OfType<TenantFinished>().Select(e => e.Result).ToList();

    public string AllText => string.Join("\n", Events.Select(e => e switch
    {
        TenantFinished f => $"{f.Result} {f.Result.Error} {f.Result.Error?.Statement} {f.Result.Tenant.ConnectionString}",
        TenantStatusRead s => $"{s.Status} {s.Status.Message} {s.Status.Tenant.ConnectionString}",
        _ => e.ToString(),
    }));
}

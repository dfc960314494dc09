using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;

namespace TenantMigrations.Engine.Hosting;

/// <summary>
/// The shared shape of the fleet commands: tenants are collected as they arrive through the pipeline, then the
/// engine runs them in parallel while the caller's thread drains its events. <see cref="Cancel"/> is safe from any thread.
/// </summary>
public abstract class FleetCommand
{
    // Never disposed on purpose: StopProcessing may cancel it at any moment, even after the command finished.
    private readonly CancellationTokenSource cancellation = new();
    private readonly List<Tenant> tenants = [];
    private readonly HashSet<string> names = new(StringComparer.OrdinalIgnoreCase);

    protected FleetCommand(MigrationSet set, FleetMigrator? migrator)
    {
        Set = set;
        Migrator = migrator ?? new FleetMigrator();
    }

    public MigrationSet Set { get; }

    protected FleetMigrator Migrator { get; }

    public IReadOnlyList<Tenant> Tenants => tenants;

    protected CancellationToken CancellationToken => cancellation.Token;

    /// <summary>Adds a tenant; a second tenant with the same name is reported and left out, since runs key on names.</summary>
    public void Add(Tenant tenant, ICommandHost host)
    {
        if (!names.Add(tenant.Name))
        {
            host.WriteError(CommandErrorIds.Error(CommandErrorIds.DuplicateTenant, $"Tenant '{tenant.Name}' was given more than once; only the first is used.", tenant));
            return;
        }
        tenants.Add(tenant);
    }

    public void Cancel() => cancellation.Cancel();

    public bool IsCancelled => cancellation.IsCancellationRequested;

    /// <summary>Runs engine work in the background and hands each event to <paramref name="onEvent"/> on this thread.</summary>
    protected TResult Drain<TResult>(Func<IFleetSink, CancellationToken, Task<TResult>> work, Action<FleetEvent> onEvent)
    {
        using var queue = new FleetEventPump<TResult>(work, cancellation.Token);
        foreach (var fleetEvent in queue.ConsumeEvents()) onEvent(fleetEvent);
        return queue.Result;
    }

    protected static void Log(ICommandHost host, FleetLog log)
    {
        if (log.Level == FleetLogLevel.Warning) host.WriteWarning(log.Message);
        else host.WriteVerbose(log.Message);
    }
}

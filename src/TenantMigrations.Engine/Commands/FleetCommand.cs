using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;

namespace TenantMigrations.Engine.Commands;

/// <summary>
/// The shared shape of the fleet commands: tenants are collected as they arrive through the pipeline, then the
/// engine runs them in parallel while the caller's thread drains its events. <see cref="Cancel"/> is safe from any thread.
/// </summary>
public abstract class FleetCommand : IDisposable
{
    // Never disposed on purpose: StopProcessing may cancel it at any moment, even after the command finished.
    private readonly CancellationTokenSource cancellation = new();
    private readonly List<Tenant> tenants = [];
    private readonly HashSet<string> names = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> retriedTenants = new(StringComparer.OrdinalIgnoreCase);

    protected FleetCommand(MigrationSet set, FleetMigrator? migrator)
    {
        Set = set;
        Migrator = migrator ?? new FleetMigrator();
    }

    public MigrationSet Set { get; }

    protected FleetMigrator Migrator { get; }

    public IReadOnlyList<Tenant> Tenants => tenants;

    protected CancellationToken CancellationToken => cancellation.Token;

    /// <summary>
    /// Adds a tenant. Input that was not a tenant is that input's InvalidTenant error; a second tenant with the same
    /// name is reported and left out, since runs key on names.
    /// </summary>
    public void Add(Tenant tenant, ICommandHost host)
    {
        if (tenant.InputProblem is not null)
        {
            host.WriteError(CommandError.For(ErrorIds.InvalidTenant, tenant.InputProblem, tenant.Input ?? tenant, new TenantMigrationException(ErrorIds.InvalidTenant, tenant.Name, tenant.InputProblem)));
            return;
        }
        if (!names.Add(tenant.Name))
        {
            host.WriteError(CommandErrorIds.Error(CommandErrorIds.DuplicateTenant, $"Tenant '{tenant.Name}' was given more than once; only the first is used.", tenant));
            return;
        }
        tenants.Add(tenant);
    }

    /// <summary>Stops the command; a stop that arrives after the command was disposed has nothing left to stop.</summary>
    public void Cancel()
    {
        try
        {
            cancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public void Dispose()
    {
        cancellation.Dispose();
        GC.SuppressFinalize(this);
    }

    public bool IsCancelled => cancellation.IsCancellationRequested;

    /// <summary>Runs engine work in the background and hands each event to <paramref name="onEvent"/> on this thread.</summary>
    protected TResult Drain<TResult>(Func<IFleetSink, CancellationToken, Task<TResult>> work, Action<FleetEvent> onEvent)
    {
        using var queue = new FleetEventPump<TResult>(work, cancellation.Token);
        foreach (var fleetEvent in queue.ConsumeEvents()) onEvent(fleetEvent);
        return queue.Result;
    }

    /// <summary>
    /// Engine log lines are verbose. Transient retries are logged per attempt, which is noise while a server restarts:
    /// they stay verbose and <see cref="WarnAboutRetries"/> sums them up in one warning.
    /// </summary>
    protected void Log(ICommandHost host, FleetLog log)
    {
        if (log is TenantRetrying retrying) retriedTenants.Add(retrying.Tenant.Name);
        host.WriteVerbose(log.Message);
    }

    /// <summary>One warning for every retried tenant, written when the command ends.</summary>
    protected void WarnAboutRetries(ICommandHost host)
    {
        if (retriedTenants.Count == 0) return;
        var names = string.Join(", ", retriedTenants.Order(StringComparer.OrdinalIgnoreCase).Take(10)) + (retriedTenants.Count > 10 ? $" and {retriedTenants.Count - 10} more" : "");
        host.WriteWarning($"Transient connection errors were retried for {retriedTenants.Count} tenant(s): {names}. The verbose output (-Verbose, or --verbose in the CLI) shows each attempt.");
        retriedTenants.Clear();
    }
}

namespace TenantMigrations.Engine.Execution;

/// <summary>Something a fleet run reports while it works. Workers post them; only the consumer's thread turns them into output.</summary>
public abstract record FleetEvent;

public sealed record TenantStarted(Tenant Tenant) : FleetEvent;

public sealed record MigrationStarted(Tenant Tenant, AppliedMigration Migration) : FleetEvent;

public sealed record TenantFinished(TenantMigrationResult Result) : FleetEvent;

/// <summary>A rollout starts a wave of <paramref name="Tenants"/> tenants.</summary>
public sealed record WaveStarted(string Name, int Tenants) : FleetEvent;

public sealed record TenantStatusRead(TenantMigrationStatus Status) : FleetEvent;

/// <summary>Information: a notice a host shows without being asked for detail (see ICommandHost.WriteInformation).</summary>
public enum FleetLogLevel { Verbose, Warning, Information }

public record FleetLog(FleetLogLevel Level, string Message) : FleetEvent;

/// <summary>A tenant's connection failed transiently and is tried again: verbose, but hosts may sum these up at the end.</summary>
public sealed record TenantRetrying(Tenant Tenant, string Message) : FleetLog(FleetLogLevel.Verbose, Message);

/// <summary>Where a run reports. Implementations must be thread-safe: workers call it concurrently.</summary>
public interface IFleetSink
{
    void Post(FleetEvent fleetEvent);
}

public sealed class NullFleetSink : IFleetSink
{
    public void Post(FleetEvent fleetEvent) { }
}

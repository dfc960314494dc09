using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Planning;

namespace TenantMigrations.Engine.Commands;

/// <summary>
/// Get-TenantMigrationStatus without PowerShell: one status per tenant, written in input order, or with
/// <see cref="Summary"/> one cohort per current version once every tenant is read.
/// </summary>
public sealed class TenantStatusCommand(MigrationSet set, PlanOptions planOptions, int throttleLimit, ConnectionLimits? limits = null, FleetMigrator? migrator = null)
    : FleetCommand(set, migrator)
{
    public bool Summary { get; init; }

    public IReadOnlyList<TenantMigrationStatus> Run(ICommandHost host)
    {
        var progress = new FleetProgress(host, "Reading tenant state", Tenants.Count);
        var order = new InputOrder<TenantMigrationStatus>(Tenants);
        try
        {
            var statuses = Drain((sink, token) => Migrator.GetStatusAsync(Tenants, Set, planOptions, sink, throttleLimit, limits, token), fleetEvent =>
            {
                switch (fleetEvent)
                {
                    case TenantStatusRead read:
                        progress.Finished(read.Status.TenantName);
                        foreach (var status in order.Finished(read.Status.TenantName, read.Status)) Write(host, status);
                        break;
                    case FleetLog log:
                        Log(host, log);
                        break;
                }
            });
            // A tenant whose read never reported (a failed batch) would hold back every later one: write them now.
            foreach (var status in statuses.Skip(order.Released)) Write(host, status);
            if (Summary)
            {
                foreach (var cohort in FleetCohorts.Of(statuses)) host.WriteObject(cohort);
            }
            return statuses;
        }
        finally
        {
            progress.Complete();
            WarnAboutRetries(host);
        }
    }

    private void Write(ICommandHost host, TenantMigrationStatus status)
    {
        if (!Summary) host.WriteObject(status);
    }
}

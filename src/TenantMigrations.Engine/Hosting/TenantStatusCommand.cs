using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Planning;

namespace TenantMigrations.Engine.Hosting;

/// <summary>Get-TenantMigrationStatus without PowerShell: one status per tenant, written as each is read.</summary>
public sealed class TenantStatusCommand(MigrationSet set, PlanOptions planOptions, int throttleLimit, FleetMigrator? migrator = null) : FleetCommand(set, migrator)
{
    public IReadOnlyList<TenantMigrationStatus> Run(ICommandHost host)
    {
        var progress = new FleetProgress(host, "Reading tenant state", Tenants.Count);
        try
        {
            return Drain((sink, token) => Migrator.GetStatusAsync(Tenants, Set, planOptions, sink, throttleLimit, token), fleetEvent =>
            {
                switch (fleetEvent)
                {
                    case TenantStatusRead read:
                        progress.Finished(read.Status.TenantName);
                        host.WriteObject(read.Status);
                        break;
                    case FleetLog log:
                        Log(host, log);
                        break;
                }
            });
        }
        finally
        {
            progress.Complete();
        }
    }
}

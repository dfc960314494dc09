using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;

namespace TenantMigrations.Engine.Commands;

/// <summary>
/// Repair-TenantMigration without PowerShell: read each tenant's journal, ask once per tenant that has something to
/// repair, then repair the approved tenants one by one (repairs are rare, deliberate and best kept in order).
/// </summary>
public sealed class RepairCommand(MigrationSet set, TimeSpan lockTimeout, FleetMigrator? migrator = null, ConnectionLimits? limits = null) : FleetCommand(set, migrator)
{
    public IReadOnlyList<TenantRepairResult> Run(ICommandHost host)
    {
        var repair = new JournalRepair(Set, Migrator, lockTimeout, limits);
        var results = new List<TenantRepairResult>();
        var progress = new FleetProgress(host, "Repairing tenants", Tenants.Count);
        try
        {
            foreach (var tenant in Tenants)
            {
                if (IsCancelled) break;
                progress.Started(tenant.Name, $"{tenant.Name}: reading the journal");
                var plan = repair.PlanAsync(tenant, CancellationToken).GetAwaiter().GetResult();
                TenantRepairResult? result = null;
                if (plan.Problem is not null)
                {
                    result = new TenantRepairResult { Tenant = tenant, StateBefore = plan.State, StateAfter = plan.State, Error = plan.Problem };
                }
                else if (!plan.HasChanges)
                {
                    host.WriteVerbose($"{tenant.Name}: nothing to repair ({plan.State}).");
                    result = new TenantRepairResult
                    {
                        Tenant = tenant,
                        StateBefore = plan.State,
                        StateAfter = plan.State,
                        MissingFiles = [.. plan.Missing],
                        Error = plan.Missing.Count == 0 ? null : JournalRepair.MissingFilesError(plan.Missing),
                    };
                }
                else if (host.ShouldProcess(TenantMigrationCommand.Target(tenant), plan.Describe(), out _))
                {
                    progress.Working(tenant.Name, $"{tenant.Name}: repairing");
                    result = repair.RepairAsync(tenant, CancellationToken).GetAwaiter().GetResult();
                }
                progress.Finished(tenant.Name);
                if (result is null) continue;
                results.Add(result);
                host.WriteObject(result);
                if (result.Error is not null)
                {
                    host.WriteError(TenantErrors.ForTenant(tenant, result.Error.ErrorId, result.Error.Message, result));
                }
            }
        }
        finally
        {
            progress.Complete();
        }
        return results;
    }
}

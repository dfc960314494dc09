using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Planning;

namespace TenantMigrations.Engine.Commands;

/// <summary>
/// Test-TenantMigration without PowerShell: the folder is already valid (loading it checked every file); this checks
/// each tenant's journal against it, read-only: drift, failed or incomplete runs, out-of-order versions, reachability.
/// </summary>
public sealed class MigrationTestCommand(MigrationSet set, PlanOptions planOptions, int throttleLimit, ConnectionLimits? limits = null, FleetMigrator? migrator = null)
    : FleetCommand(set, migrator)
{
    public IReadOnlyList<TenantMigrationTestResult> Run(ICommandHost host, bool writeResults = true)
    {
        var results = new List<TenantMigrationTestResult>();
        var progress = new FleetProgress(host, "Testing tenants", Tenants.Count);
        var order = new InputOrder<TenantMigrationTestResult>(Tenants);
        try
        {
            var statuses = Drain((sink, token) => Migrator.GetStatusAsync(Tenants, Set, planOptions, sink, throttleLimit, limits, token), fleetEvent =>
            {
                switch (fleetEvent)
                {
                    case TenantStatusRead read:
                        progress.Finished(read.Status.TenantName);
                        foreach (var result in order.Finished(read.Status.TenantName, Judge(read.Status, planOptions.AllowOutOfOrder))) Write(result);
                        break;
                    case FleetLog log:
                        Log(host, log);
                        break;
                }
            });
            foreach (var status in statuses.Skip(order.Released)) Write(Judge(status, planOptions.AllowOutOfOrder));
        }
        finally
        {
            progress.Complete();
            WarnAboutRetries(host);
        }
        return results;

        void Write(TenantMigrationTestResult result)
        {
            results.Add(result);
            if (writeResults) host.WriteObject(result);
            if (!result.Passed) host.WriteVerbose($"{result.TenantName}: {string.Join("; ", result.Problems)}");
        }
    }

    /// <summary>A tenant passes when a migrate would run cleanly: nothing drifted, failed, incomplete, locked or unreachable.</summary>
    public static TenantMigrationTestResult Judge(TenantMigrationStatus status, bool allowOutOfOrder)
    {
        var problems = new List<string>();
        problems.AddRange(status.Drift);
        problems.AddRange(status.Failed.Select(v => $"{v}: failed"));
        problems.AddRange(status.Incomplete.Select(v => $"{v}: incomplete"));
        if (!allowOutOfOrder) problems.AddRange(status.OutOfOrder.Select(v => $"{v}: out of order"));
        var clean = status.State is TenantState.UpToDate or TenantState.Pending;
        if (!clean && status.Message is not null) problems.Add(status.Message);
        else if (!clean && problems.Count == 0) problems.Add($"state {status.State}");
        return new TenantMigrationTestResult
        {
            Tenant = status.Tenant,
            State = status.State,
            PendingCount = status.PendingCount,
            Passed = clean && problems.Count == 0,
            Problems = [.. problems],
        };
    }
}

using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Provisioning;

namespace TenantMigrations.Engine.Commands;

/// <summary>
/// New-Tenant without PowerShell: one ShouldProcess per tenant, then the approved tenants are created where missing
/// (from the template, where one is named and the engine can copy it) and migrated in parallel, each result written as
/// it finishes. Under -WhatIf (the CLI's --dry-run) each tenant is written as its planned result and nothing is created.
/// </summary>
public sealed class TenantProvisionCommand(MigrationSet set, MigrateOptions options, string? template, FleetProvisioner? provisioner = null) : FleetCommand(set, null)
{
    public const string Activity = "Provisioning tenants";

    private readonly FleetProvisioner provisioner = provisioner ?? new FleetProvisioner();

    public string? Template { get; } = template;

    /// <summary>The ShouldProcess action for every tenant.</summary>
    public string Action => Template is null
        ? "Create the tenant if it is missing, then apply the pending migrations"
        : $"Create the tenant from template '{Template}' if it is missing, then apply the pending migrations";

    public MigrationRunSummary Run(ICommandHost host)
    {
        try
        {
            var approved = new List<Tenant>();
            var previewed = new List<Tenant>();
            foreach (var tenant in Tenants)
            {
                if (host.ShouldProcess(TenantMigrationCommand.Target(tenant), Action, out var whatIf)) approved.Add(tenant);
                else if (whatIf) previewed.Add(tenant);
            }
            if (previewed.Count > 0 && !IsCancelled) Provision(host, previewed, options with { DryRun = true });
            if (approved.Count == 0 || IsCancelled) return new MigrationRunSummary { RunId = options.RunId, Skipped = Tenants.Count - approved.Count };
            var summary = Provision(host, approved, options with { DryRun = false });
            host.WriteVerbose(summary.ToString());
            return summary;
        }
        finally
        {
            WarnAboutRetries(host);
        }
    }

    private MigrationRunSummary Provision(ICommandHost host, List<Tenant> tenants, MigrateOptions runOptions)
    {
        var progress = new FleetProgress(host, Activity, tenants.Count);
        try
        {
            return Drain((sink, token) => provisioner.ProvisionAsync(tenants, Set, runOptions, Template, sink, token), fleetEvent =>
            {
                switch (fleetEvent)
                {
                    case TenantStarted started:
                        progress.Started(started.Tenant.Name);
                        break;
                    case MigrationStarted migration:
                        host.WriteVerbose($"{migration.Tenant.Name}: applying {migration.Migration.Script}");
                        progress.Working(migration.Tenant.Name, $"{migration.Tenant.Name}: {migration.Migration}");
                        break;
                    case TenantFinished finished:
                        progress.Finished(finished.Result.TenantName, finished.Result.Succeeded);
                        host.WriteObject(finished.Result);
                        if (!finished.Result.Succeeded) host.WriteError(TenantErrors.ForResult(finished.Result));
                        break;
                    case FleetLog { Level: FleetLogLevel.Warning } warning:
                        host.WriteWarning(warning.Message);
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

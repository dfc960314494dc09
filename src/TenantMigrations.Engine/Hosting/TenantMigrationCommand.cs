using System.Collections.Concurrent;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;

namespace TenantMigrations.Engine.Hosting;

/// <summary>
/// Invoke-TenantMigration without PowerShell. A read-only dry run plans every tenant; each tenant with work gets one
/// ShouldProcess naming its versions; the approved tenants then migrate in parallel and each result is written as it
/// finishes. A tenant that is blocked or fails is written as a result and as a non-terminating error. Under -WhatIf
/// each tenant with work is written as its planned result (DryRun, Planned, StateAfter = its current state).
/// </summary>
public sealed class TenantMigrationCommand(MigrationSet set, MigrateOptions options, FleetMigrator? migrator = null) : FleetCommand(set, migrator)
{
    public const string Activity = "Migrating tenants";

    public MigrateOptions Options { get; } = options;

    /// <summary>Plans, asks, migrates. Returns the summary of the real run (empty when nothing was approved).</summary>
    public MigrationRunSummary Run(ICommandHost host)
    {
        try
        {
            return PlanAndMigrate(host);
        }
        finally
        {
            WarnAboutRetries(host);
        }
    }

    private MigrationRunSummary PlanAndMigrate(ICommandHost host)
    {
        var plans = Plan(host);
        var approved = new List<Tenant>();
        foreach (var tenant in Tenants)
        {
            if (!plans.TryGetValue(tenant, out var plan)) continue;
            if (plan.Error is not null || plan.Planned.Length == 0)
            {
                // Nothing would change: report the tenant as it stands, without touching it.
                var standing = AsRunResult(plan);
                host.WriteObject(standing);
                if (!standing.Succeeded) host.WriteError(TenantErrors.ForResult(standing));
                continue;
            }
            if (host.ShouldProcess(Target(tenant), Describe(plan), out var whatIf)) approved.Add(tenant);
            else if (whatIf) host.WriteObject(AsPlannedResult(plan));
            else host.WriteVerbose($"{tenant.Name}: skipped, {plan.Planned.Length} migration(s) not applied.");
        }
        if (approved.Count == 0 || IsCancelled) return new MigrationRunSummary { RunId = Options.RunId, Skipped = Tenants.Count };

        var progress = new FleetProgress(host, Activity, approved.Count);
        try
        {
            var summary = Drain((sink, token) => Migrator.MigrateAsync(approved, Set, Options with { DryRun = false }, sink, token), fleetEvent =>
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
                    case FleetLog log:
                        Log(host, log);
                        break;
                }
            });
            host.WriteVerbose(summary.ToString());
            return summary;
        }
        finally
        {
            progress.Complete();
        }
    }

    /// <summary>The ShouldProcess action for a tenant: what it would apply, from which version.</summary>
    public static string Describe(TenantMigrationResult plan)
    {
        var versions = string.Join(", ", plan.Planned.Select(p => p.Version ?? $"R {p.Description}"));
        return $"Apply {plan.Planned.Length} migration(s): {versions} (current version: {plan.VersionBefore ?? "none"})";
    }

    public static string Target(Tenant tenant) => $"{tenant.Name} ({tenant.Engine})";

    private Dictionary<Tenant, TenantMigrationResult> Plan(ICommandHost host)
    {
        var plans = new ConcurrentDictionary<Tenant, TenantMigrationResult>();
        var progress = new FleetProgress(host, "Reading tenant state", Tenants.Count);
        try
        {
            Drain((sink, token) => Migrator.MigrateAsync(Tenants, Set, Options with { DryRun = true }, sink, token), fleetEvent =>
            {
                switch (fleetEvent)
                {
                    case TenantFinished finished:
                        plans[finished.Result.Tenant] = finished.Result;
                        progress.Finished(finished.Result.TenantName);
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
        return new Dictionary<Tenant, TenantMigrationResult>(plans);
    }

    /// <summary>What -WhatIf reports for a tenant with work: the versions it would apply, and nothing changed yet.</summary>
    private TenantMigrationResult AsPlannedResult(TenantMigrationResult plan) => new()
    {
        Tenant = plan.Tenant,
        StateBefore = plan.StateBefore,
        StateAfter = plan.StateBefore,
        VersionBefore = plan.VersionBefore,
        VersionAfter = plan.VersionBefore,
        Planned = plan.Planned,
        DryRun = true,
        Duration = plan.Duration,
        RunId = Options.RunId,
    };

    private TenantMigrationResult AsRunResult(TenantMigrationResult plan) => new()
    {
        Tenant = plan.Tenant,
        StateBefore = plan.StateBefore,
        StateAfter = plan.StateAfter,
        VersionBefore = plan.VersionBefore,
        VersionAfter = plan.VersionAfter,
        Error = plan.Error,
        Duration = plan.Duration,
        RunId = Options.RunId,
    };
}

using System.Collections.Concurrent;
using TenantMigrations.Engine.Dialects;
using TenantMigrations.Engine.Journal;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Planning;

namespace TenantMigrations.Engine.Execution;

/// <summary>
/// Makes a migrate of an up-to-date fleet cost about what status costs: the journals are read in batches first, and a
/// tenant whose journal shows it has nothing to do (up to date, or blocked by drift, a failure or a dead run) gets its
/// result from that read, without a connection of its own and without its lock. Tenants with work, tenants locked by
/// another runner (which must wait for the lock and report Locked) and tenants whose batch could not be read are
/// migrated one by one, as before.
/// </summary>
internal static class SettledTenants
{
    /// <summary>
    /// The results of the tenants whose batched read settles them; the others are left out. Each journal becomes its
    /// result as it is read, so a fleet's journals are never all held at once.
    /// </summary>
    public static async Task<IReadOnlyDictionary<Tenant, TenantMigrationResult>> ReadAsync(DialectRegistry dialects, IReadOnlyList<Tenant> tenants, MigrationSet set, MigrateOptions options, IFleetSink sink, CancellationToken cancellationToken)
    {
        // A tenant alone in its batch on an engine whose sessions cost more than its lock goes the one-by-one way at once:
        // read first, a tenant with work would take two sessions (a fresh migrate of 50 databases opened 100).
        var readable = tenants
            .Where(t => dialects.Supports(t.Engine) && TenantChecks.Problem(dialects.For(t.Engine), t, forReading: true) is null)
            .GroupBy(t => JournalBatches.KeyOf(dialects, t))
            .Where(batch => batch.Count() > 1 || !dialects.For(batch.Key.Engine).SessionsCostMoreThanLocks)
            .ToList();
        var settled = new ConcurrentDictionary<Tenant, TenantMigrationResult>();
        // No retries here: a batch that cannot be read only sends its tenants down the one-by-one path, which retries.
        var readOptions = options with { MaxAttempts = 1 };
        await JournalBatches.ReadAsync(dialects, readable, set.Settings.JournalTable, readOptions, sink, options.ThrottleLimit, (tenant, snapshot, dialect) =>
        {
            // Outside the tenant's isolation: a tenant that cannot be settled here goes the one-by-one way, which has it.
            try
            {
                if (ResultOf(tenant, snapshot, set, options, dialect) is { } result) settled[tenant] = result;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
            }
        }, cancellationToken).ConfigureAwait(false);
        return settled;
    }

    /// <summary>
    /// The result migrating the tenant would give, when the batch read already decides it; null when the tenant must be
    /// connected to. Built exactly as <see cref="TenantMigrator"/> builds it from the same journal.
    /// </summary>
    public static TenantMigrationResult? ResultOf(Tenant tenant, JournalSnapshot snapshot, MigrationSet set, MigrateOptions options, IDatabaseDialect dialect)
    {
        if (snapshot.UnreachableReason is not null || snapshot.LockedByAnother) return null;
        // A tenant without a journal may not exist at all: only its own connection can tell TenantNotFound from new.
        if (!snapshot.JournalExists && !options.CreateMissing) return null;
        TenantPlan plan;
        try
        {
            plan = Planner.Plan(set, tenant, snapshot, options.Plan, dialect);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return null;
        }
        var result = new TenantMigrationResult
        {
            Tenant = tenant,
            RunId = options.RunId,
            DryRun = options.DryRun,
            StateBefore = plan.State,
            StateAfter = plan.State,
            VersionBefore = plan.CurrentVersion,
            VersionAfter = plan.CurrentVersion,
            Error = plan.Blocker,
        };
        if (options.DryRun)
        {
            result.Planned = plan.Blocker is null ? plan.Pending.Select(p => p.Describe()).ToArray() : [];
            return result;
        }
        // A migrate creates a missing journal table even when there is nothing to apply.
        var settled = snapshot.JournalExists && (plan.Blocker is not null || plan.Pending.Count == 0);
        return settled ? result : null;
    }
}

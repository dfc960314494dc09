using System.Collections.Concurrent;
using System.Diagnostics;
using TenantMigrations.Engine.Dialects;
using TenantMigrations.Engine.Journal;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Planning;

namespace TenantMigrations.Engine.Execution;

/// <summary>The engine's front door: status, migrate, export and repair over a fleet of tenants.</summary>
public sealed class FleetMigrator(DialectRegistry? dialects = null)
{
    private readonly DialectRegistry dialects = dialects ?? DialectRegistry.CreateDefault();

    public IDatabaseDialect DialectFor(Tenant tenant) => dialects.For(tenant.Engine);

    /// <summary>
    /// Migrates tenants in parallel. Each finished tenant is posted to the sink as it ends; a failing tenant never
    /// stops the others. Cancellation stops starting tenants and rolls back the transactional migrations in flight.
    /// </summary>
    public Task<MigrationRunSummary> MigrateAsync(IReadOnlyList<Tenant> tenants, MigrationSet set, MigrateOptions options, IFleetSink sink, CancellationToken cancellationToken = default) =>
        MigrateGatedAsync(tenants, set, options, sink, gate: null, cancellationToken);

    /// <summary>As <see cref="MigrateAsync"/>; a gate may keep tenants from starting and completes each result before it is reported.</summary>
    internal async Task<MigrationRunSummary> MigrateGatedAsync(IReadOnlyList<Tenant> tenants, MigrationSet set, MigrateOptions options, IFleetSink sink, Rollouts.ITenantGate? gate, CancellationToken cancellationToken)
    {
        options.Validate();
        RejectDuplicateNames(tenants);
        RejectGroupWithoutTransactionalDdl(tenants, options);
        var clock = Stopwatch.StartNew();
        var results = new ConcurrentBag<TenantMigrationResult>();
        try
        {
            // Undo, baseline and baseline-on-migrate plan each tenant on its own connection: the batch read cannot decide them.
            var settled = options.Undo is null && options.BaselineAt is null && options.BaselineOnMigrate is null
                ? await SettledTenants.ReadAsync(dialects, tenants, set, options, sink, cancellationToken).ConfigureAwait(false)
                : null;
            await FleetWorkers.ForEachAsync(tenants, options.ThrottleLimit, (tenant, token) => RunGatedAsync(tenant, set, options, sink, gate, settled, results, token), cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Tenants not yet started stay as they were; the summary counts them as skipped.
        }
        return Summarize(options.RunId, tenants.Count, results, cancellationToken.IsCancellationRequested, clock.Elapsed);
    }

    /// <summary>Where DDL commits by itself a group cannot be one transaction: say so instead of pretending.</summary>
    private void RejectGroupWithoutTransactionalDdl(IReadOnlyList<Tenant> tenants, MigrateOptions options)
    {
        if (!options.Group || options.DryRun) return;
        if (tenants.FirstOrDefault(t => !dialects.For(t.Engine).SupportsTransactionalDdl) is { } tenant)
        {
            throw new ArgumentException($"Group cannot be used for tenant '{tenant.Name}': {tenant.Engine} commits every DDL statement by itself, so its migrations cannot share one transaction. Run without Group.", nameof(options));
        }
    }

    /// <summary>
    /// As <see cref="MigrateGatedAsync"/>, over tenants pulled one at a time from <paramref name="next"/> (null: no
    /// more), so that a shared run store can hand out tenants as this runner's workers free up.
    /// </summary>
    internal async Task<MigrationRunSummary> MigratePulledAsync(Func<CancellationToken, Task<Tenant?>> next, MigrationSet set, MigrateOptions options, IFleetSink sink, Rollouts.ITenantGate gate, CancellationToken cancellationToken)
    {
        options.Validate();
        var clock = Stopwatch.StartNew();
        var results = new ConcurrentBag<TenantMigrationResult>();
        var pulled = 0;
        try
        {
            await FleetWorkers.ForEachPulledAsync(async token =>
            {
                var tenant = await next(token).ConfigureAwait(false);
                if (tenant is not null) Interlocked.Increment(ref pulled);
                return tenant;
            }, options.ThrottleLimit, (tenant, token) => RunGatedAsync(tenant, set, options, sink, gate, settled: null, results, token), cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Tenants not yet started stay as they were; the summary counts them as skipped.
        }
        return Summarize(options.RunId, Volatile.Read(ref pulled), results, cancellationToken.IsCancellationRequested, clock.Elapsed);
    }

    /// <param name="settled">Results from journals read in batches beforehand: a settled tenant needs no connection of its own.</param>
    private async Task RunGatedAsync(Tenant tenant, MigrationSet set, MigrateOptions options, IFleetSink sink, Rollouts.ITenantGate? gate, IReadOnlyDictionary<Tenant, TenantMigrationResult>? settled, ConcurrentBag<TenantMigrationResult> results, CancellationToken token)
    {
        using var slot = gate is null ? null : await gate.EnterAsync(tenant, token).ConfigureAwait(false);
        if (gate is not null && slot is null) return;
        sink.Post(new TenantStarted(tenant));
        var result = await IsolatedAsync(tenant, options, async () =>
        {
            var outcome = settled?.GetValueOrDefault(tenant)
                ?? await new TenantMigrator(dialects.For(tenant.Engine), set, options, sink).MigrateAsync(tenant, token).ConfigureAwait(false);
            return gate is null ? outcome : await gate.CompleteAsync(outcome, token).ConfigureAwait(false);
        }, token).ConfigureAwait(false);
        results.Add(result);
        sink.Post(new TenantFinished(result));
    }

    /// <summary>The last line of defence: nothing that happens inside one tenant ends the run.</summary>
    private static async Task<TenantMigrationResult> IsolatedAsync(Tenant tenant, MigrateOptions options, Func<Task<TenantMigrationResult>> work, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            return await work().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new TenantMigrationResult
            {
                Tenant = tenant,
                RunId = options.RunId,
                DryRun = options.DryRun,
                StateBefore = TenantState.Failed,
                StateAfter = TenantState.Failed,
                Error = new MigrationError { ErrorId = ErrorIds.TenantFailed, Message = $"tenant '{tenant.Name}': {Redaction.MessageOf(ex, tenant)}" },
                Duration = clock.Elapsed,
            };
        }
    }

    /// <summary>Reads every tenant's state, batching journal reads per server or database where the dialect can.</summary>
    public async Task<IReadOnlyList<TenantMigrationStatus>> GetStatusAsync(IReadOnlyList<Tenant> tenants, MigrationSet set, PlanOptions planOptions, IFleetSink? sink = null, int throttleLimit = 4, ConnectionLimits? limits = null, CancellationToken cancellationToken = default)
    {
        sink ??= new NullFleetSink();
        RejectDuplicateNames(tenants);
        var statuses = new ConcurrentDictionary<Tenant, TenantMigrationStatus>();
        var valid = new List<Tenant>();
        foreach (var tenant in tenants)
        {
            if (TenantChecks.Problem(dialects.For(tenant.Engine), tenant, forReading: true) is { } problem)
            {
                Report(new TenantMigrationStatus { Tenant = tenant, State = TenantState.Invalid, Message = problem });
            }
            else
            {
                valid.Add(tenant);
            }
        }

        var options = new MigrateOptions { Limits = limits ?? new() };
        await JournalBatches.ReadAsync(dialects, valid, set.Settings.JournalTable, options, sink, throttleLimit, (tenant, snapshot, dialect) =>
        {
            try
            {
                Report(StatusOf(set, tenant, snapshot, planOptions, dialect));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Report(new TenantMigrationStatus { Tenant = tenant, State = TenantState.Invalid, Message = $"tenant '{tenant.Name}': {Redaction.MessageOf(ex, tenant)}" });
            }
        }, cancellationToken).ConfigureAwait(false);
        return tenants.Select(t => statuses[t]).ToList();

        void Report(TenantMigrationStatus status)
        {
            statuses[status.Tenant] = status;
            sink.Post(new TenantStatusRead(status));
        }
    }

    /// <summary>The exact SQL a migrate would send to each tenant now, placeholders resolved and journal writes included.</summary>
    public async Task<IReadOnlyList<TenantScriptExport>> ExportAsync(IReadOnlyList<Tenant> tenants, MigrationSet set, PlanOptions planOptions, int throttleLimit = 4, ConnectionLimits? limits = null, CancellationToken cancellationToken = default)
    {
        RejectDuplicateNames(tenants);
        var exports = new ConcurrentDictionary<Tenant, TenantScriptExport>();
        await FleetWorkers.ForEachAsync(tenants, throttleLimit, async (tenant, token) =>
        {
            var dialect = dialects.For(tenant.Engine);
            var snapshot = await ReadOneAsync(dialect, tenant, set, limits ?? new(), token).ConfigureAwait(false);
            try
            {
                var plan = Planner.Plan(set, tenant, snapshot, planOptions, dialect);
                exports[tenant] = ScriptExporter.Export(dialect, set, plan, snapshot);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                var problem = $"tenant '{tenant.Name}': {Redaction.MessageOf(ex, tenant)}";
                exports[tenant] = new TenantScriptExport { Tenant = tenant, State = TenantState.Invalid, Sql = $"-- nothing to run: {problem.Replace('\n', ' ')}\n", Problem = problem };
            }
        }, cancellationToken).ConfigureAwait(false);
        return tenants.Select(t => exports[t]).ToList();
    }

    private static async Task<JournalSnapshot> ReadOneAsync(IDatabaseDialect dialect, Tenant tenant, MigrationSet set, ConnectionLimits limits, CancellationToken cancellationToken)
    {
        if (TenantChecks.Problem(dialect, tenant) is { } problem) return JournalSnapshot.Invalid(problem);
        try
        {
            var snapshots = await dialect.ReadJournalsAsync([tenant], set.Settings.JournalTable, limits, cancellationToken).ConfigureAwait(false);
            return snapshots.TryGetValue(tenant, out var snapshot) ? snapshot : JournalSnapshot.Unreachable("the journal could not be read.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return JournalSnapshot.Unreachable(Redaction.MessageOf(ex, tenant));
        }
    }

    internal static TenantMigrationStatus StatusOf(MigrationSet set, Tenant tenant, JournalSnapshot snapshot, PlanOptions planOptions, IDatabaseDialect dialect)
    {
        if (snapshot.UnreachableReason is not null)
        {
            return new TenantMigrationStatus { Tenant = tenant, State = snapshot.InvalidTenant ? TenantState.Invalid : TenantState.Unreachable, Message = snapshot.UnreachableReason };
        }
        var plan = Planner.Plan(set, tenant, snapshot, planOptions, dialect);
        if (snapshot.LockedByAnother)
        {
            var locked = plan.ToStatus(snapshot.LockHolder is null ? "another runner holds the migration lock." : $"another runner holds the migration lock: {snapshot.LockHolder}.");
            locked.State = TenantState.Locked;
            return locked;
        }
        return plan.ToStatus();
    }

    private static void RejectDuplicateNames(IReadOnlyList<Tenant> tenants)
    {
        var duplicate = tenants.GroupBy(t => t.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"Tenant '{duplicate.Key}' is listed {duplicate.Count()} times: tenant names must be unique within a run.", nameof(tenants));
        var unnamed = tenants.FirstOrDefault(t => string.IsNullOrWhiteSpace(t.Name));
        if (unnamed is not null) throw new ArgumentException($"A tenant from {unnamed.Source ?? "the input"} has no name.", nameof(tenants));
    }

    private static bool IsFailure(string? errorId) => errorId is ErrorIds.MigrationFailed or ErrorIds.Cancelled or ErrorIds.TenantFailed or ErrorIds.LockTimeout or ErrorIds.VerificationFailed;

    internal static MigrationRunSummary Summarize(string runId, int total, IEnumerable<TenantMigrationResult> results, bool cancelled, TimeSpan duration)
    {
        var list = results.ToList();
        return new MigrationRunSummary
        {
            RunId = runId,
            Total = total,
            Succeeded = list.Count(r => r.Succeeded),
            Locked = list.Count(r => r.StateAfter == TenantState.Locked && !r.Skipped),
            SkippedLocked = list.Count(r => r.Skipped),
            VerificationFailed = list.Count(r => r.Error?.ErrorId == ErrorIds.VerificationFailed),
            FailedTenants = [.. list.Where(r => !r.Succeeded && !r.Skipped).Select(r => r.TenantName).Order(StringComparer.OrdinalIgnoreCase)],
            Unreachable = list.Count(r => r.StateAfter == TenantState.Unreachable),
            Failed = list.Count(r => IsFailure(r.Error?.ErrorId)),
            Blocked = list.Count(r => !r.Succeeded && r.StateAfter is not (TenantState.Locked or TenantState.Unreachable) && !IsFailure(r.Error?.ErrorId)),
            Skipped = total - list.Count,
            MigrationsApplied = list.Sum(r => r.Applied.Length),
            Cancelled = cancelled,
            Duration = duration,
        };
    }
}

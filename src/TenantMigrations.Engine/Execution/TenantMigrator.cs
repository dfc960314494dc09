using System.Data;
using System.Data.Common;
using System.Diagnostics;
using TenantMigrations.Engine.Dialects;
using TenantMigrations.Engine.Journal;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Planning;

namespace TenantMigrations.Engine.Execution;

/// <summary>
/// Migrates one tenant: connect, lock, ensure the journal, plan, apply in order, stop at the first failure.
/// Whatever happens inside the tenant ends as its result. A lost connection is retried like a refused one: the tenant
/// is re-opened, re-locked, its journal re-read and re-planned, so a rolled-back migration runs again and an interrupted
/// non-transactional one reads as Incomplete.
/// </summary>
internal sealed class TenantMigrator(IDatabaseDialect dialect, MigrationSet set, MigrateOptions options, IFleetSink sink)
{
    private readonly List<AppliedMigration> applied = [];

    private TenantState? stateBefore;

    private string? versionBefore;

    private string JournalTable => set.Settings.JournalTable;

    public async Task<TenantMigrationResult> MigrateAsync(Tenant tenant, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var result = new TenantMigrationResult { Tenant = tenant, RunId = options.RunId, DryRun = options.DryRun };
        if (TenantChecks.Problem(dialect, tenant) is { } invalid)
        {
            return Finish(result, TenantState.Invalid, TenantState.Invalid, ErrorIds.InvalidTenant, invalid, clock);
        }

        var retry = TransientRetry.Create(options, sink, tenant, ex => ex is TenantConnectionException { Retryable: true });
        try
        {
            return await retry.ExecuteAsync(async token => await AttemptAsync(tenant, result, clock, token).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }
        catch (TenantConnectionException ex)
        {
            var attempts = ex.Retryable ? $" after {options.MaxAttempts} attempts" : "";
            result.Applied = [.. applied];
            result.VersionAfter = versionBefore is null ? null : result.VersionAfter ?? versionBefore;
            var errorId = ex.InnerException is Tenants.TenantSecretUnavailableException ? ErrorIds.TenantSecretUnavailable : ErrorIds.TenantUnreachable;
            return Finish(result, stateBefore ?? TenantState.Unreachable, TenantState.Unreachable, errorId,
                $"tenant '{tenant.Name}': {ex.Stage}{attempts}: {Redaction.MessageOf(ex.InnerException, tenant)}", clock);
        }
        catch (Provisioning.ProvisioningException ex)
        {
            return Finish(result, TenantState.Invalid, TenantState.Invalid, ex.ErrorId, Redaction.Text(ex.Message, tenant), clock);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            result.Applied = [.. applied];
            return Finish(result, stateBefore ?? TenantState.Failed, TenantState.Failed, ErrorIds.TenantFailed,
                $"tenant '{tenant.Name}': {Redaction.MessageOf(ex, tenant)}", clock);
        }
    }

    /// <summary>One connection's worth of work. Connection faults leave as <see cref="TenantConnectionException"/>.</summary>
    private async Task<TenantMigrationResult> AttemptAsync(Tenant tenant, TenantMigrationResult result, Stopwatch clock, CancellationToken cancellationToken)
    {
        var stage = "cannot connect";
        var opened = false;
        DbConnection? connection = null;
        try
        {
            if (!dialect.MayExistWithoutConnecting(tenant))
            {
                if (!options.CreateMissing) return NotFound(tenant, result, clock);
                result.Created = !options.DryRun;
            }
            connection = dialect.CreateConnection(tenant, forWriting: !options.DryRun, options.Limits);
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            opened = true;
            if (options.DryRun)
            {
                await dialect.PrepareSessionAsync(connection, tenant, cancellationToken).ConfigureAwait(false);
                stage = "connection lost";
                return await DryRunAsync(connection, tenant, result, clock, cancellationToken).ConfigureAwait(false);
            }

            stage = "connection lost";
            var session = new SessionSettings();
            var settings = dialect.DdlLockTimeoutStatements(options.DdlLockTimeout);
            var (tenantLock, snapshot) = await dialect.OpenLockedSessionAsync(connection, tenant, JournalTable, options.LockTimeout, options.RunId, settings, cancellationToken).ConfigureAwait(false);
            session.Told(options.DdlLockTimeout);
            if (tenantLock is null)
            {
                result.Applied = [.. applied];
                var holder = await LockHolderOfAsync(connection, tenant, cancellationToken).ConfigureAwait(false);
                return Finish(result, stateBefore ?? TenantState.Locked, TenantState.Locked, ErrorIds.TenantLocked,
                    $"another runner holds the migration lock of tenant '{tenant.Name}' (waited {options.LockTimeout.TotalSeconds:0.#} s){(holder is null ? "" : ": " + holder)}.", clock);
            }
            await using (tenantLock.ConfigureAwait(false))
            {
                return await MigrateLockedAsync(connection, tenant, snapshot, session, result, clock, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (!opened && dialect.IsMissingTenant(ex))
        {
            if (!options.CreateMissing || result.Created) return NotFound(tenant, result, clock);
            if (options.DryRun) return DryRunResult(result, Planner.Plan(set, tenant, JournalSnapshot.Empty, options.Plan, dialect), clock);
            await dialect.CreateDatabaseAsync(tenant, options.Limits, cancellationToken).ConfigureAwait(false);
            result.Created = true;
            return await AttemptAsync(tenant, result, clock, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or TenantConnectionException) && IsConnectionFault(ex, connection))
        {
            throw new TenantConnectionException(stage, ex, Retryable: opened || dialect.IsTransient(ex));
        }
        finally
        {
            if (connection is not null) await DisposeQuietlyAsync(connection).ConfigureAwait(false);
        }
    }

    /// <summary>Naming the holder is a courtesy: a failure to read it leaves the Locked result as it is.</summary>
    private async Task<string?> LockHolderOfAsync(DbConnection connection, Tenant tenant, CancellationToken cancellationToken)
    {
        try
        {
            return await dialect.DescribeLockHolderAsync(connection, tenant, JournalTable, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Open connections that broke, and transient errors (refused, reset, too many connections) are connection faults.</summary>
    private bool IsConnectionFault(Exception exception, DbConnection? connection) =>
        connection is null || connection.State != ConnectionState.Open || dialect.IsTransient(exception) && !dialect.IsLockTimeout(exception);

    private async Task<TenantMigrationResult> DryRunAsync(DbConnection connection, Tenant tenant, TenantMigrationResult result, Stopwatch clock, CancellationToken cancellationToken)
    {
        var snapshot = await dialect.ReadJournalAsync(connection, tenant, JournalTable, cancellationToken).ConfigureAwait(false);
        if (!snapshot.JournalExists && !options.CreateMissing && !await dialect.StoreExistsAsync(connection, tenant, cancellationToken).ConfigureAwait(false)) return NotFound(tenant, result, clock);
        var plan = await PlanWorkAsync(connection, tenant, snapshot, cancellationToken).ConfigureAwait(false);
        return DryRunResult(result, plan, clock);
    }

    private static TenantMigrationResult DryRunResult(TenantMigrationResult result, TenantPlan plan, Stopwatch clock)
    {
        result.VersionBefore = result.VersionAfter = plan.CurrentVersion;
        result.Planned = plan.Blocker is null ? plan.Pending.Select(p => p.Describe()).ToArray() : [];
        result.Error = plan.Blocker;
        return Finish(result, plan.State, plan.State, null, null, clock);
    }

    private async Task<TenantMigrationResult> MigrateLockedAsync(DbConnection connection, Tenant tenant, JournalSnapshot snapshot, SessionSettings session, TenantMigrationResult result, Stopwatch clock, CancellationToken cancellationToken)
    {
        if (!snapshot.JournalExists)
        {
            // Only a tenant without a journal can be missing, so the happy path pays no extra round trip.
            if (!await dialect.StoreExistsAsync(connection, tenant, cancellationToken).ConfigureAwait(false))
            {
                if (!options.CreateMissing) return NotFound(tenant, result, clock);
                result.Created = true;
            }
            await ExecuteToolStatementsAsync(connection, dialect.CreateJournalStatements(tenant, JournalTable), cancellationToken).ConfigureAwait(false);
        }
        var plan = await PlanWorkAsync(connection, tenant, snapshot, cancellationToken).ConfigureAwait(false);
        stateBefore ??= plan.State;
        versionBefore ??= plan.CurrentVersion;
        result.VersionBefore = versionBefore;
        if (plan.Blocker is not null)
        {
            result.Applied = [.. applied];
            result.VersionAfter = plan.CurrentVersion;
            result.Error = plan.Blocker;
            return Finish(result, stateBefore.Value, plan.State, null, null, clock);
        }

        var journal = new JournalWriter(dialect, tenant, JournalTable);
        var entries = snapshot.Entries.ToList();
        var pendingMigrations = plan.Pending;
        // A stepwise migration's succeeded row travels with the next one's 'running' row: one round trip less each.
        JournalEntry? unwritten = null;
        for (var next = 0; next < pendingMigrations.Count && !cancellationToken.IsCancellationRequested;)
        {
            var unit = NextUnit(pendingMigrations, next);
            next += unit.Count;
            var transactional = unit[0].Transactional && dialect.SupportsTransactionalDdl;
            var ddlLockTimeout = unit[0].Script.Directives.DdlLockTimeout ?? options.DdlLockTimeout;
            if (unwritten is not null && (transactional || session.Differs(ddlLockTimeout)))
            {
                await journal.FinishAsync(connection, unwritten, CancellationToken.None).ConfigureAwait(false);
                unwritten = null;
            }
            foreach (var pending in unit) sink.Post(new MigrationStarted(tenant, pending.Describe(JournalState.Running)));
            await session.LimitDdlLockWaitAsync(connection, dialect, ddlLockTimeout, cancellationToken).ConfigureAwait(false);
            var steps = new List<Step>(unit.Count);
            foreach (var pending in unit) steps.Add(new Step(pending, NewEntry(pending, entries, steps.Count)));
            var outcome = transactional
                ? await ApplyInTransactionAsync(connection, tenant, journal, steps, cancellationToken).ConfigureAwait(false)
                : await ApplyStepwiseAsync(connection, tenant, journal, steps[0].Pending, steps[0].Entry, unwritten, cancellationToken).ConfigureAwait(false);
            unwritten = outcome.Unwritten;
            entries.AddRange(outcome.Entries);
            foreach (var entry in outcome.Entries.Where(e => e.State == JournalState.Succeeded))
            {
                applied.Add(steps.First(s => s.Entry.InstalledRank == entry.InstalledRank).Pending.Describe(JournalState.Succeeded, TimeSpan.FromMilliseconds(entry.DurationMs ?? 0)));
            }
            if (outcome.Error is not null)
            {
                result.Error = outcome.Error;
                break;
            }
        }

        if (unwritten is not null) await journal.FinishAsync(connection, unwritten, CancellationToken.None).ConfigureAwait(false);
        result.Applied = [.. applied];
        var after = Planner.Plan(set, tenant, snapshot with { JournalExists = true, Entries = entries }, options.Plan, dialect);
        result.VersionAfter = after.CurrentVersion;
        var stateAfter = result.Error is { ErrorId: ErrorIds.MigrationFailed or ErrorIds.LockTimeout } && after.State is TenantState.Pending or TenantState.UpToDate ? TenantState.Failed : after.State;
        return Finish(result, stateBefore.Value, stateAfter, null, null, clock);
    }

    /// <summary>What this run does to the tenant: migrate (after a baseline, with baseline-on-migrate), undo, or baseline.</summary>
    private async Task<TenantPlan> PlanWorkAsync(DbConnection connection, Tenant tenant, JournalSnapshot snapshot, CancellationToken cancellationToken)
    {
        if (options.Undo is { } undo) return UndoPlanner.Plan(set, tenant, snapshot, undo, dialect);
        if (options.BaselineAt is { } baseline)
        {
            var hasTables = await dialect.HasTablesAsync(connection, tenant, JournalTable, cancellationToken).ConfigureAwait(false);
            return BaselinePlanner.Plan(set, tenant, snapshot, baseline, hasTables, dialect);
        }
        if (options.BaselineOnMigrate is { } adopt && snapshot.Entries.Count == 0)
        {
            var hasTables = await dialect.HasTablesAsync(connection, tenant, JournalTable, cancellationToken).ConfigureAwait(false);
            if (BaselinePlanner.OnMigrate(set, tenant, snapshot, adopt, hasTables, options.Plan, dialect) is { } adopted) return adopted;
        }
        return Planner.Plan(set, tenant, snapshot, options.Plan, dialect);
    }

    private JournalEntry NewEntry(PlannedMigration pending, List<JournalEntry> entries, int offset) =>
        pending.StartEntry((entries.Count == 0 ? 1 : entries.Max(e => e.InstalledRank) + 1) + offset, options.AppliedBy, options.RunId);

    /// <summary>
    /// The migrations that run next as one unit: one migration, or with <see cref="MigrateOptions.Group"/> the run of
    /// pending transactional migrations that wait for table locks alike. A non-transactional script breaks the group.
    /// </summary>
    private List<PlannedMigration> NextUnit(IReadOnlyList<PlannedMigration> pending, int start)
    {
        var unit = new List<PlannedMigration> { pending[start] };
        if (!options.Group || !pending[start].Transactional || !dialect.SupportsTransactionalDdl) return unit;
        var ddlLockTimeout = pending[start].Script.Directives.DdlLockTimeout;
        for (var i = start + 1; i < pending.Count && pending[i].Transactional && pending[i].Script.Directives.DdlLockTimeout == ddlLockTimeout; i++) unit.Add(pending[i]);
        return unit;
    }

    private sealed record Step(PlannedMigration Pending, JournalEntry Entry);

    /// <param name="Unwritten">A succeeded row whose journal update is still to be sent.</param>
    private sealed record Outcome(IReadOnlyList<JournalEntry> Entries, MigrationError? Error, JournalEntry? Unwritten = null)
    {
        public Outcome(JournalEntry? entry, MigrationError? error) : this(entry is null ? [] : [entry], error)
        {
        }
    }

    /// <summary>
    /// The scripts of a unit and their succeeded journal rows commit together, or none does; a failure is journaled
    /// after the rollback. Where the driver's batches are atomic, the statements, the journal rows and the commit travel
    /// in one round trip. A DDL lock wait that runs out rolls back and tries the unit again, a bounded number of times.
    /// </summary>
    private async Task<Outcome> ApplyInTransactionAsync(DbConnection connection, Tenant tenant, JournalWriter journal, IReadOnlyList<Step> steps, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var clock = Stopwatch.StartNew();
            Exception failure;
            PlannedMigration failing;
            try
            {
                return new Outcome(await RunUnitAsync(connection, tenant, journal, steps, clock, cancellationToken).ConfigureAwait(false), null);
            }
            catch (UnitFailedException ex)
            {
                failure = ex.InnerException!;
                failing = ex.Failing;
            }
            var pending = failing;
            // The group's rows were rolled back with it: the failed row takes the group's first rank, leaving no gap.
            var entry = steps.First(s => s.Pending == failing).Entry with { InstalledRank = steps[0].Entry.InstalledRank };
            if (failure is OperationCanceledException || cancellationToken.IsCancellationRequested)
            {
                return new Outcome((JournalEntry?)null, new MigrationError { ErrorId = ErrorIds.Cancelled, Version = pending.Migration.Key, Script = pending.Script.FileName, Message = "cancelled; the migration in flight was rolled back." });
            }
            var (cause, statement) = failure is StatementFailedException failedStatement ? (failedStatement.InnerException!, failedStatement.Statement) : (failure, null);
            // Rolled back with the session: the next attempt re-reads the journal and runs the migration again.
            if (IsConnectionFault(cause, connection)) throw cause;
            if (dialect.IsLockTimeout(cause) && attempt < options.DdlLockAttempts)
            {
                await WaitForLockAsync(tenant, pending, attempt, cancellationToken).ConfigureAwait(false);
                continue;
            }
            var error = dialect.IsLockTimeout(cause) ? LockTimeoutError(cause, tenant, pending, statement, null) : DescribeFailure(cause, tenant, pending, statement, statementsCompleted: null);
            if (steps.Count > 1) error.Message += $" The group of {steps.Count} migrations was rolled back.";
            var failed = entry with { State = JournalState.Failed, FinishedAt = DateTime.UtcNow, DurationMs = clock.ElapsedMilliseconds, Error = error.Message, FailedStatement = error.Statement };
            await JournalFailureAsync(() => journal.InsertAsync(connection, null, failed, CancellationToken.None), connection, error, tenant).ConfigureAwait(false);
            return new Outcome(failed, error);
        }
    }

    /// <summary>Runs and commits a unit; any failure rolls it back and leaves as a <see cref="UnitFailedException"/> naming the migration.</summary>
    private async Task<IReadOnlyList<JournalEntry>> RunUnitAsync(DbConnection connection, Tenant tenant, JournalWriter journal, IReadOnlyList<Step> steps, Stopwatch clock, CancellationToken cancellationToken)
    {
        var timeout = options.Limits.CommandTimeout ?? TimeSpan.Zero;
        // A typed backfill repeats its batch statement until no row changes, which one atomic round trip cannot do.
        var repeats = steps.Any(s => s.Pending.Statements.Any(Schema.Typed.RepeatedStatement.IsRepeated));
        if (dialect.BatchesAreAtomic && connection.CanCreateBatch && !repeats)
        {
            await using var batch = connection.CreateBatch();
            batch.Timeout = TimeoutSeconds(timeout);
            var owners = new Dictionary<DbBatchCommand, PlannedMigration>();
            var succeeded = new List<JournalEntry>(steps.Count);
            foreach (var (pending, entry) in steps)
            {
                foreach (var statement in pending.Statements) owners[AddStatement(batch, statement)] = pending;
                var row = entry with { State = JournalState.Succeeded };
                owners[journal.AddInsert(batch, row)] = pending;
                succeeded.Add(row);
            }
            try
            {
                await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                var failing = ex is DbException { BatchCommand: { } command } && owners.TryGetValue(command, out var owner) ? owner : steps[0].Pending;
                var statement = ex is DbException { BatchCommand: { } failed } ? failed.CommandText : null;
                throw new UnitFailedException(failing, statement is null || ex is not DbException ? ex : new StatementFailedException(statement, ex));
            }
            var finished = DateTime.UtcNow;
            return succeeded.Select(row => row with { FinishedAt = finished, DurationMs = clock.ElapsedMilliseconds / steps.Count }).ToList();
        }

        var current = steps[0].Pending;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var rows = new List<JournalEntry>(steps.Count);
            foreach (var (pending, entry) in steps)
            {
                current = pending;
                var started = clock.ElapsedMilliseconds;
                await ExecuteStatementsAsync(dialect, connection, transaction, pending.Statements, timeout, BatchReporter(tenant, pending, null, null), cancellationToken).ConfigureAwait(false);
                var row = entry with { State = JournalState.Succeeded, FinishedAt = DateTime.UtcNow, DurationMs = clock.ElapsedMilliseconds - started };
                await journal.InsertAsync(connection, transaction, row, cancellationToken).ConfigureAwait(false);
                rows.Add(row);
            }
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return rows;
        }
        catch (Exception ex)
        {
            await RollbackQuietlyAsync(transaction).ConfigureAwait(false);
            throw new UnitFailedException(current, ex);
        }
    }

    private DbBatchCommand AddStatement(DbBatch batch, string statement)
    {
        var command = batch.CreateBatchCommand();
        command.CommandText = statement;
        dialect.SendAsWritten(command.Parameters);
        batch.BatchCommands.Add(command);
        return command;
    }

    private sealed class UnitFailedException(PlannedMigration failing, Exception inner) : Exception(inner.Message, inner)
    {
        public PlannedMigration Failing { get; } = failing;
    }

    /// <summary>
    /// For scripts that cannot run in a transaction: journal 'running' first, run statement by statement, then record
    /// the outcome. A statement that timed out waiting for a lock did not run, so it alone is tried again. A lost
    /// connection leaves the row 'running': the tenant reads as Incomplete and is never re-run.
    /// </summary>
    /// <param name="previous">The previous migration's succeeded row, not yet written: it goes with this one's 'running' row.</param>
    private async Task<Outcome> ApplyStepwiseAsync(DbConnection connection, Tenant tenant, JournalWriter journal, PlannedMigration pending, JournalEntry entry, JournalEntry? previous, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        if (previous is null) await journal.InsertAsync(connection, null, entry, cancellationToken).ConfigureAwait(false);
        else await journal.FinishAndInsertAsync(connection, previous, entry, cancellationToken).ConfigureAwait(false);
        var statements = pending.Statements;
        var completed = 0;
        var lockWaits = 0;
        try
        {
            while (completed < statements.Count)
            {
                try
                {
                    var statement = statements[completed];
                    await RepeatedExecution.RunAsync(statement, () => ExecuteAsync(connection, null, statement, options.Limits.CommandTimeout ?? TimeSpan.Zero, cancellationToken, dialect), BatchReporter(tenant, pending, connection, journal, entry, completed)).ConfigureAwait(false);
                    completed++;
                    await RecordProgressAsync(connection, journal, pending, entry, $"{completed} of {statements.Count} statements done, the last: {RepeatedExecution.Label(statement)}", cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (dialect.IsLockTimeout(ex) && ++lockWaits < options.DdlLockAttempts && connection.State == ConnectionState.Open)
                {
                    await WaitForLockAsync(tenant, pending, lockWaits, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (!IsConnectionFault(ex, connection) || ex is OperationCanceledException)
        {
            var statement = completed < statements.Count ? statements[completed] : null;
            var error = ex is OperationCanceledException || cancellationToken.IsCancellationRequested
                ? new MigrationError { ErrorId = ErrorIds.Cancelled, Version = pending.Migration.Key, Script = pending.Script.FileName, Statement = statement, StatementsCompleted = completed, Message = $"cancelled after {completed} of {statements.Count} statements; this migration does not run in a transaction and may be partly applied." }
                : dialect.IsLockTimeout(ex) ? LockTimeoutError(ex, tenant, pending, statement, completed, statements.Count)
                : DescribeFailure(ex, tenant, pending, statement, completed, statements.Count);
            var failed = entry with { State = JournalState.Failed, FinishedAt = DateTime.UtcNow, DurationMs = clock.ElapsedMilliseconds, Error = error.Message, FailedStatement = Redaction.Text(statement, tenant) };
            await JournalFailureAsync(() => journal.FinishAsync(connection, failed, CancellationToken.None), connection, error, tenant).ConfigureAwait(false);
            return new Outcome(failed, error);
        }
        var succeeded = entry with { State = JournalState.Succeeded, FinishedAt = DateTime.UtcNow, DurationMs = clock.ElapsedMilliseconds };
        return new Outcome([succeeded], null, Unwritten: succeeded);
    }

    /// <summary>
    /// A failed row is a record, not a guarantee: if it cannot be written on a live connection the failure is still
    /// reported, and the journal stays in a state the next run reads correctly (rolled back, or 'running').
    /// </summary>
    private async Task JournalFailureAsync(Func<Task> write, DbConnection connection, MigrationError error, Tenant tenant)
    {
        try
        {
            await write().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            if (IsConnectionFault(ex, connection)) throw;
            error.Message += $" (the failure could not be journaled: {Redaction.MessageOf(ex, tenant)})";
        }
    }

    private async Task WaitForLockAsync(Tenant tenant, PlannedMigration pending, int attempt, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1));
        sink.Post(new FleetLog(FleetLogLevel.Verbose, $"{tenant.Name}: {pending.Script.FileName} waited too long for a table lock; attempt {attempt + 1} of {options.DdlLockAttempts} in {delay.TotalMilliseconds:0} ms."));
        await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
    }

    private MigrationError LockTimeoutError(Exception exception, Tenant tenant, PlannedMigration pending, string? statement, int? statementsCompleted, int? statementCount = null)
    {
        var error = DescribeFailure(exception, tenant, pending, statement, statementsCompleted, statementCount);
        error.ErrorId = ErrorIds.LockTimeout;
        error.Message = $"{pending.Script.FileName} waited for a table lock longer than the DDL lock timeout {options.DdlLockAttempts} times; another session holds a lock on the table. {error.Message}";
        return error;
    }

    private MigrationError DescribeFailure(Exception exception, Tenant tenant, PlannedMigration pending, string? statement, int? statementsCompleted, int? statementCount = null)
    {
        var (sqlState, position, failingStatement) = dialect.DescribeError(exception);
        var where = statementCount is null ? "" : $" (statement {statementsCompleted + 1} of {statementCount}; {statementsCompleted} completed, not rolled back)";
        return new MigrationError
        {
            ErrorId = ErrorIds.MigrationFailed,
            Version = pending.Migration.Key,
            Script = pending.Script.FileName,
            Message = $"{pending.Script.FileName} failed{where}: {Redaction.MessageOf(exception, tenant)}",
            Statement = Redaction.Text(failingStatement ?? statement, tenant),
            StatementsCompleted = statementsCompleted,
            Position = position,
            SqlState = sqlState,
        };
    }

    /// <summary>
    /// Runs a transactional script's statements: as one batch (one round trip) where the driver has batches, so the
    /// server names the failing statement; one by one otherwise.
    /// </summary>
    private static async Task ExecuteStatementsAsync(IDatabaseDialect dialect, DbConnection connection, DbTransaction transaction, IReadOnlyList<string> statements, TimeSpan timeout, Func<int, int, Task> afterBatch, CancellationToken cancellationToken)
    {
        if (statements.Count == 0) return;
        if (!connection.CanCreateBatch || statements.Any(Schema.Typed.RepeatedStatement.IsRepeated))
        {
            foreach (var statement in statements)
            {
                try
                {
                    await RepeatedExecution.RunAsync(statement, () => ExecuteAsync(connection, transaction, statement, timeout, cancellationToken, dialect), afterBatch).ConfigureAwait(false);
                }
                catch (DbException ex)
                {
                    throw new StatementFailedException(statement, ex);
                }
            }
            return;
        }
        await using var batch = connection.CreateBatch();
        batch.Transaction = transaction;
        batch.Timeout = TimeoutSeconds(timeout);
        foreach (var statement in statements)
        {
            var command = batch.CreateBatchCommand();
            command.CommandText = statement;
            dialect.SendAsWritten(command.Parameters);
            batch.BatchCommands.Add(command);
        }
        try
        {
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbException ex) when (ex.BatchCommand is { } failing)
        {
            throw new StatementFailedException(failing.CommandText, ex);
        }
    }

    private sealed class StatementFailedException(string statement, Exception inner) : Exception(inner.Message, inner)
    {
        public string Statement { get; } = statement;
    }

    /// <param name="timeout">Zero: no limit.</param>
    /// <param name="migrationDialect">Set for a migration's own statements, which the driver must send as written.</param>
    private static async Task<int> ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, TimeSpan timeout, CancellationToken cancellationToken, IDatabaseDialect? migrationDialect = null)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        migrationDialect?.SendAsWritten(command.Parameters);
        command.CommandTimeout = TimeoutSeconds(timeout);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reports each batch of a typed backfill; outside a transaction the journal's running row also records it, so a
    /// run that dies mid-backfill leaves an Incomplete tenant whose journal says which statement and batch it reached.
    /// </summary>
    private Func<int, int, Task> BatchReporter(Tenant tenant, PlannedMigration pending, DbConnection? connection, JournalWriter? journal, JournalEntry? entry = null, int statementIndex = 0) => async (batch, rows) =>
    {
        if (connection is not null && journal is not null && entry is not null)
        {
            var progress = $"{statementIndex} of {pending.Statements.Count} statements done; in statement {statementIndex + 1} ({RepeatedExecution.Label(pending.Statements[statementIndex])}), backfill batch {batch} done ({rows} rows)";
            await RecordProgressAsync(connection, journal, pending, entry, progress, CancellationToken.None).ConfigureAwait(false);
        }
        sink.Post(new FleetLog(FleetLogLevel.Verbose, $"{tenant.Name}: {pending.Script.FileName}: backfill batch {batch} changed {rows} rows."));
    };

    /// <summary>Only a typed migration records its steps: a plain script keeps its single journal write per statement list.</summary>
    private static async Task RecordProgressAsync(DbConnection connection, JournalWriter journal, PlannedMigration pending, JournalEntry entry, string progress, CancellationToken cancellationToken)
    {
        if (pending.Script.Typed is null) return;
        await journal.RecordProgressAsync(connection, entry.InstalledRank, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The tool's own statements (creating the journal): one round trip where batches are atomic.</summary>
    private async Task ExecuteToolStatementsAsync(DbConnection connection, IReadOnlyList<string> statements, CancellationToken cancellationToken)
    {
        var timeout = options.Limits.CommandTimeout ?? ConnectionLimits.DefaultToolCommandTimeout;
        if (!(dialect.BatchesAreAtomic && connection.CanCreateBatch))
        {
            foreach (var statement in statements) await ExecuteAsync(connection, null, statement, timeout, cancellationToken).ConfigureAwait(false);
            return;
        }
        await using var batch = connection.CreateBatch();
        batch.Timeout = TimeoutSeconds(timeout);
        foreach (var statement in statements)
        {
            var command = batch.CreateBatchCommand();
            command.CommandText = statement;
            batch.BatchCommands.Add(command);
        }
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static int TimeoutSeconds(TimeSpan timeout) => (int)Math.Min(int.MaxValue, Math.Ceiling(timeout.TotalSeconds));

    private static async Task RollbackQuietlyAsync(DbTransaction transaction)
    {
        try
        {
            await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The connection is gone or the server already rolled back: either way nothing was committed.
        }
    }

    private static async Task DisposeQuietlyAsync(DbConnection connection)
    {
        try
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Closing a broken connection has nothing left to release.
        }
    }

    private TenantMigrationResult NotFound(Tenant tenant, TenantMigrationResult result, Stopwatch clock) =>
        Finish(result, TenantState.Invalid, TenantState.Invalid, ErrorIds.TenantNotFound,
            $"tenant '{tenant.Name}': {dialect.StoreDescription(tenant)} not found; use New-Tenant or --create.", clock);

    private static TenantMigrationResult Finish(TenantMigrationResult result, TenantState before, TenantState after, string? errorId, string? message, Stopwatch clock)
    {
        result.StateBefore = before;
        result.StateAfter = after;
        if (errorId is not null) result.Error = new MigrationError { ErrorId = errorId, Message = message ?? "" };
        result.Duration = clock.Elapsed;
        return result;
    }

    /// <summary>What this session has been told, so that a setting is sent only when it changes.</summary>
    private sealed class SessionSettings
    {
        private TimeSpan? ddlLockTimeout;

        public bool Differs(TimeSpan timeout) => ddlLockTimeout != timeout;

        /// <summary>The session was set up with this bound already.</summary>
        public void Told(TimeSpan timeout) => ddlLockTimeout = timeout;

        public async Task LimitDdlLockWaitAsync(DbConnection connection, IDatabaseDialect dialect, TimeSpan timeout, CancellationToken cancellationToken)
        {
            if (ddlLockTimeout == timeout) return;
            foreach (var statement in dialect.DdlLockTimeoutStatements(timeout))
            {
                await ExecuteAsync(connection, null, statement, ConnectionLimits.DefaultToolCommandTimeout, cancellationToken).ConfigureAwait(false);
            }
            ddlLockTimeout = timeout;
        }
    }
}

/// <summary>A tenant's connection failed or broke; <see cref="Retryable"/> when trying again may help.</summary>
internal sealed class TenantConnectionException(string stage, Exception inner, bool Retryable) : Exception(inner.Message, inner)
{
    public string Stage { get; } = stage;

    public bool Retryable { get; } = Retryable;
}

using System.Data.Common;
using System.Diagnostics;
using Polly;
using TenantMigrations.Engine.Dialects;
using TenantMigrations.Engine.Journal;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Planning;

namespace TenantMigrations.Engine.Execution;

/// <summary>Migrates one tenant: connect, lock, ensure the journal, plan, apply in order, stop at the first failure.</summary>
internal sealed class TenantMigrator(IDatabaseDialect dialect, MigrationSet set, MigrateOptions options, IFleetSink sink)
{
    private string JournalTable => set.Settings.JournalTable;

    public async Task<TenantMigrationResult> MigrateAsync(Tenant tenant, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var result = new TenantMigrationResult { Tenant = tenant, RunId = options.RunId, DryRun = options.DryRun };
        try
        {
            dialect.Validate(tenant);
        }
        catch (Exception ex) when (ex is InvalidIdentifierException or ArgumentException or FormatException)
        {
            return Finish(result, TenantState.Invalid, TenantState.Invalid, ErrorIds.InvalidTenant, Redaction.MessageOf(ex, tenant), clock);
        }

        var retry = TransientRetry.Create(dialect, options, sink, tenant);
        DbConnection connection;
        try
        {
            connection = await retry.ExecuteAsync(async token => await OpenAsync(tenant, token).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return Finish(result, TenantState.Unreachable, TenantState.Unreachable, ErrorIds.TenantUnreachable, Redaction.MessageOf(ex, tenant), clock);
        }

        await using (connection.ConfigureAwait(false))
        {
            if (options.DryRun)
            {
                var snapshot = await dialect.ReadJournalAsync(connection, tenant, JournalTable, cancellationToken).ConfigureAwait(false);
                var dryPlan = Planner.Plan(set, tenant, snapshot, options.Plan, dialect.SupportsTransactionalDdl);
                result.VersionBefore = result.VersionAfter = dryPlan.CurrentVersion;
                result.Planned = dryPlan.Blocker is null ? dryPlan.Pending.Select(p => p.Describe()).ToArray() : [];
                result.Error = dryPlan.Blocker;
                return Finish(result, dryPlan.State, dryPlan.State, null, null, clock);
            }

            IAsyncDisposable? tenantLock;
            try
            {
                tenantLock = await retry.ExecuteAsync(
                    async token => await dialect.TryLockAsync(connection, tenant, JournalTable, options.LockTimeout, token).ConfigureAwait(false),
                    cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return Finish(result, TenantState.Unreachable, TenantState.Unreachable, ErrorIds.TenantUnreachable, Redaction.MessageOf(ex, tenant), clock);
            }
            if (tenantLock is null)
            {
                return Finish(result, TenantState.Locked, TenantState.Locked, ErrorIds.TenantLocked,
                    $"another runner holds the migration lock of tenant '{tenant.Name}' (waited {options.LockTimeout.TotalSeconds:0.#} s).", clock);
            }

            await using (tenantLock.ConfigureAwait(false))
            {
                return await MigrateLockedAsync(connection, tenant, result, clock, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<DbConnection> OpenAsync(Tenant tenant, CancellationToken cancellationToken)
    {
        var connection = dialect.CreateConnection(tenant, forWriting: !options.DryRun);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await dialect.PrepareSessionAsync(connection, tenant, cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<TenantMigrationResult> MigrateLockedAsync(DbConnection connection, Tenant tenant, TenantMigrationResult result, Stopwatch clock, CancellationToken cancellationToken)
    {
        foreach (var statement in dialect.CreateJournalStatements(tenant, JournalTable))
        {
            await ExecuteAsync(connection, null, statement, cancellationToken).ConfigureAwait(false);
        }
        var snapshot = await dialect.ReadJournalAsync(connection, tenant, JournalTable, cancellationToken).ConfigureAwait(false);
        var plan = Planner.Plan(set, tenant, snapshot, options.Plan, dialect.SupportsTransactionalDdl);
        result.VersionBefore = plan.CurrentVersion;
        if (plan.Blocker is not null)
        {
            result.VersionAfter = plan.CurrentVersion;
            result.Error = plan.Blocker;
            return Finish(result, plan.State, plan.State, null, null, clock);
        }

        var journal = new JournalWriter(dialect, tenant, JournalTable);
        var entries = snapshot.Entries.ToList();
        var applied = new List<AppliedMigration>();
        foreach (var pending in plan.Pending)
        {
            if (cancellationToken.IsCancellationRequested) break;
            sink.Post(new MigrationStarted(tenant, pending.Describe(JournalState.Running)));
            var entry = NewEntry(pending, entries);
            var outcome = pending.Transactional && dialect.SupportsTransactionalDdl
                ? await ApplyInTransactionAsync(connection, tenant, journal, pending, entry, cancellationToken).ConfigureAwait(false)
                : await ApplyStepwiseAsync(connection, tenant, journal, pending, entry, cancellationToken).ConfigureAwait(false);
            if (outcome.Entry is not null) entries.Add(outcome.Entry);
            if (outcome.Error is not null)
            {
                result.Error = outcome.Error;
                break;
            }
            applied.Add(pending.Describe(JournalState.Succeeded, TimeSpan.FromMilliseconds(outcome.Entry!.DurationMs ?? 0)));
        }

        result.Applied = [.. applied];
        var after = Planner.Plan(set, tenant, snapshot with { JournalExists = true, Entries = entries }, options.Plan, dialect.SupportsTransactionalDdl);
        result.VersionAfter = after.CurrentVersion;
        var stateAfter = result.Error is { ErrorId: ErrorIds.MigrationFailed } && after.State is TenantState.Pending or TenantState.UpToDate ? TenantState.Failed : after.State;
        return Finish(result, plan.State, stateAfter, null, null, clock);
    }

    private JournalEntry NewEntry(PlannedMigration pending, List<JournalEntry> entries) =>
        pending.StartEntry(entries.Count == 0 ? 1 : entries.Max(e => e.InstalledRank) + 1, options.AppliedBy, options.RunId);

    private sealed record Outcome(JournalEntry? Entry, MigrationError? Error);

    /// <summary>The script and its succeeded journal row commit together, or neither does; a failure is journaled after the rollback.</summary>
    private async Task<Outcome> ApplyInTransactionAsync(DbConnection connection, Tenant tenant, JournalWriter journal, PlannedMigration pending, JournalEntry entry, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        Exception failure;
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                await ExecuteStatementsAsync(connection, transaction, dialect.SplitStatements(pending.RenderedSql), cancellationToken).ConfigureAwait(false);
                var succeeded = entry with { State = JournalState.Succeeded, FinishedAt = DateTime.UtcNow, DurationMs = clock.ElapsedMilliseconds };
                await journal.InsertAsync(connection, transaction, succeeded, cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return new Outcome(succeeded, null);
            }
            catch (Exception ex)
            {
                failure = ex;
                await RollbackQuietlyAsync(transaction).ConfigureAwait(false);
            }
        }
        if (failure is OperationCanceledException || cancellationToken.IsCancellationRequested)
        {
            return new Outcome(null, new MigrationError { ErrorId = ErrorIds.Cancelled, Version = pending.Migration.Key, Script = pending.Script.FileName, Message = "cancelled; the migration in flight was rolled back." });
        }
        var (cause, statement) = failure is StatementFailedException failedStatement ? (failedStatement.InnerException!, failedStatement.Statement) : (failure, null);
        var error = DescribeFailure(cause, tenant, pending, statement, statementsCompleted: null);
        var failed = entry with { State = JournalState.Failed, FinishedAt = DateTime.UtcNow, DurationMs = clock.ElapsedMilliseconds, Error = error.Message, FailedStatement = error.Statement };
        await journal.InsertAsync(connection, null, failed, CancellationToken.None).ConfigureAwait(false);
        return new Outcome(failed, error);
    }

    /// <summary>For scripts that cannot run in a transaction: journal 'running' first, run statement by statement, then record the outcome.</summary>
    private async Task<Outcome> ApplyStepwiseAsync(DbConnection connection, Tenant tenant, JournalWriter journal, PlannedMigration pending, JournalEntry entry, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        await journal.InsertAsync(connection, null, entry, cancellationToken).ConfigureAwait(false);
        var statements = dialect.SplitStatements(pending.RenderedSql);
        var completed = 0;
        try
        {
            foreach (var statement in statements)
            {
                await ExecuteAsync(connection, null, statement, cancellationToken).ConfigureAwait(false);
                completed++;
            }
        }
        catch (Exception ex)
        {
            var statement = completed < statements.Count ? statements[completed] : null;
            var error = ex is OperationCanceledException || cancellationToken.IsCancellationRequested
                ? new MigrationError { ErrorId = ErrorIds.Cancelled, Version = pending.Migration.Key, Script = pending.Script.FileName, Statement = statement, StatementsCompleted = completed, Message = $"cancelled after {completed} of {statements.Count} statements; this migration does not run in a transaction and may be partly applied." }
                : DescribeFailure(ex, tenant, pending, statement, completed, statements.Count);
            var failed = entry with { State = JournalState.Failed, FinishedAt = DateTime.UtcNow, DurationMs = clock.ElapsedMilliseconds, Error = error.Message, FailedStatement = statement };
            await journal.FinishAsync(connection, failed, CancellationToken.None).ConfigureAwait(false);
            return new Outcome(failed, error);
        }
        var succeeded = entry with { State = JournalState.Succeeded, FinishedAt = DateTime.UtcNow, DurationMs = clock.ElapsedMilliseconds };
        await journal.FinishAsync(connection, succeeded, CancellationToken.None).ConfigureAwait(false);
        return new Outcome(succeeded, null);
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
    private static async Task ExecuteStatementsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<string> statements, CancellationToken cancellationToken)
    {
        if (!connection.CanCreateBatch)
        {
            foreach (var statement in statements)
            {
                try
                {
                    await ExecuteAsync(connection, transaction, statement, cancellationToken).ConfigureAwait(false);
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
        batch.Timeout = 0;
        foreach (var statement in statements)
        {
            var command = batch.CreateBatchCommand();
            command.CommandText = statement;
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

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

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

    private TenantMigrationResult Finish(TenantMigrationResult result, TenantState before, TenantState after, string? errorId, string? message, Stopwatch clock)
    {
        result.StateBefore = before;
        result.StateAfter = after;
        if (errorId is not null) result.Error = new MigrationError { ErrorId = errorId, Message = message ?? "" };
        result.Duration = clock.Elapsed;
        return result;
    }
}

using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Rollouts.RunRecords;

namespace TenantMigrations.Engine.Rollouts.SharedRuns;

/// <summary>
/// One runner's part in a run of a <see cref="SharedRunStore"/>: the runner joins the run (the first one inserts
/// it), adds its tenants, then claims them in small batches under a lease, and writes each tenant's outcome.
/// </summary>
public sealed class SharedRun : IAsyncDisposable
{
    private readonly SharedRunStore store;
    private readonly ConcurrentBag<DbConnection> idle = [];
    private int succeeded;
    private int failed;

    private SharedRun(SharedRunStore store, string runId, string runnerId, TimeSpan lease, IReadOnlyList<string> warnings, int alreadyDone)
    {
        this.store = store;
        RunId = runId;
        RunnerId = runnerId;
        Lease = lease;
        Warnings = warnings;
        AlreadyDone = alreadyDone;
    }

    public const double DefaultLeaseSeconds = 60;

    public string RunId { get; }

    /// <summary>Who holds a claim: host, process and a random part, so two runners never share an id.</summary>
    public string RunnerId { get; }

    /// <summary>How long a claim holds without renewal; a runner that dies loses its tenants to the others after this.</summary>
    public TimeSpan Lease { get; }

    /// <summary>What the host should warn about, such as migrations that changed since the run started.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>Tenants of this runner's selection the run already did when it joined.</summary>
    public int AlreadyDone { get; }

    public int Succeeded => Volatile.Read(ref succeeded);

    public int Failed => Volatile.Read(ref failed);

    /// <summary>Waves gate on the whole fleet, which one runner of many cannot see: a shared run is a flat run. Throws ArgumentException.</summary>
    public static void RefuseWaves(RolloutOptions rollout, MigrationSet set)
    {
        if (rollout.WavesFor(set).Count > 0) throw new ArgumentException("waves cannot be combined with a shared run store: run the waves from one runner with a folder run store, or drop the waves for this run.");
    }

    /// <summary>
    /// Joins run <paramref name="runId"/> (inserting it when it is new, unless <paramref name="resume"/> says it must
    /// exist) and adds these tenants as pending where the run does not have them yet. A resume makes the failed
    /// tenants pending again.
    /// </summary>
    public static async Task<SharedRun> JoinAsync(SharedRunStore store, string runId, bool resume, MigrationSet set, IReadOnlyList<Tenant> tenants, IReadOnlyDictionary<string, string> options, TimeSpan lease, CancellationToken cancellationToken)
    {
        if (!RunStore.IsValidRunId(runId)) throw new ArgumentException($"'{runId}' is not a run id: use letters, digits, '.', '_' and '-' (at most 64).", nameof(runId));
        if (lease < TimeSpan.FromSeconds(1)) throw new ArgumentOutOfRangeException(nameof(lease), lease, "the lease must be at least 1 second.");
        var runnerId = $"{Environment.MachineName}:{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}:{Guid.NewGuid().ToString("N")[..8]}";
        var checksum = RunRecording.ChecksumOf(set);
        var sql = store.Sql;
        await using var connection = await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (resume && !await ExistsAsync(connection, sql, runId, cancellationToken).ConfigureAwait(false)) throw new RunNotFoundException(runId, store.Location);
            await SharedRunStore.ExecuteAsync(connection, null, sql.InsertRun(),
            [
                ("run", runId),
                ("tool_version", MigrateOptions.ToolVersion),
                ("folder", set.Folder),
                ("checksum", checksum),
                ("options", JsonSerializer.Serialize(options, RunRecordLines.Json.IReadOnlyDictionaryStringString)),
            ], cancellationToken).ConfigureAwait(false);
            foreach (var chunk in tenants.Chunk(500))
            {
                var parameters = chunk.Select((t, i) => ($"t{i}", (object?)t.Name)).Prepend(("run", runId));
                await SharedRunStore.ExecuteAsync(connection, null, sql.InsertTenants(chunk.Length), parameters, cancellationToken).ConfigureAwait(false);
            }
            await SharedRunStore.ExecuteAsync(connection, null, sql.CountTenants(), [("run", runId)], cancellationToken).ConfigureAwait(false);
            if (resume) await SharedRunStore.ExecuteAsync(connection, null, sql.RetryFailed(), [("run", runId)], cancellationToken).ConfigureAwait(false);

            var warnings = new List<string>();
            await using (var command = SharedRunStore.Command(connection, null, $"SELECT migrations_checksum FROM {sql.Runs} WHERE run_id = @run", [("run", runId)]))
            {
                if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string recorded && !string.Equals(recorded, checksum, StringComparison.Ordinal))
                {
                    warnings.Add($"The migrations in {set.Folder} differ from those run {runId} started with; each tenant's journal still decides what is applied.");
                }
            }
            var mine = tenants.Select(t => t.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var done = 0;
            await using (var command = SharedRunStore.Command(connection, null, $"SELECT tenant_name FROM {sql.Tenants} WHERE run_id = @run AND state = '{SharedRunSql.Done}'", [("run", runId)]))
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) if (mine.Contains(reader.GetString(0))) done++;
            }
            return new SharedRun(store, runId, runnerId, lease, warnings, done);
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or RunNotFoundException))
        {
            throw store.Unreachable(ex);
        }
    }

    private static async Task<bool> ExistsAsync(DbConnection connection, SharedRunSql sql, string runId, CancellationToken cancellationToken)
    {
        await using var command = SharedRunStore.Command(connection, null, $"SELECT count(*) FROM {sql.Runs} WHERE run_id = @run", [("run", runId)]);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) > 0;
    }

    /// <summary>
    /// Claims up to <paramref name="limit"/> tenants that are pending or whose lease ran out, in one short
    /// transaction: SELECT ... FOR UPDATE SKIP LOCKED, so two runners claiming at once never take the same row.
    /// </summary>
    internal Task<IReadOnlyList<string>> ClaimAsync(int limit, IReadOnlyCollection<string> excluded, CancellationToken cancellationToken) =>
        WithConnectionAsync(async connection =>
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var names = new List<string>();
            var parameters = Excluded(excluded).Prepend(("run", (object?)RunId)).Append(("limit", limit)).ToList();
            await using (var select = SharedRunStore.Command(connection, transaction, store.Sql.SelectClaimable(excluded.Count), parameters))
            await using (var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) names.Add(reader.GetString(0));
            }
            if (names.Count > 0)
            {
                await SharedRunStore.ExecuteAsync(connection, transaction, store.Sql.Claim(names.Count), Names(names).Concat(LeaseOwner()), cancellationToken).ConfigureAwait(false);
            }
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return (IReadOnlyList<string>)names;
        }, cancellationToken);

    /// <summary>Moves the lease of tenants this runner holds, so a long tenant is not taken over.</summary>
    internal Task<int> RenewAsync(IReadOnlyCollection<string> held, CancellationToken cancellationToken) =>
        held.Count == 0 ? Task.FromResult(0) : WithConnectionAsync(connection =>
            SharedRunStore.ExecuteAsync(connection, null, store.Sql.Renew(held.Count), Names(held).Concat(LeaseOwner()), cancellationToken), cancellationToken);

    /// <summary>Rows still to do by anyone, besides <paramref name="excluded"/>.</summary>
    internal Task<long> CountOpenAsync(IReadOnlyCollection<string> excluded, CancellationToken cancellationToken) =>
        WithConnectionAsync(async connection =>
        {
            await using var command = SharedRunStore.Command(connection, null, store.Sql.CountOpen(excluded.Count), Excluded(excluded).Prepend(("run", RunId)));
            return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        }, cancellationToken);

    /// <summary>Writes a finished tenant: done, or failed (a failure never overwrites another runner's done).</summary>
    internal Task<int> FinishAsync(TenantMigrationResult result)
    {
        var outcome = RunRecording.OutcomeOf(result);
        if (outcome == TenantRunResult.Succeeded) Interlocked.Increment(ref succeeded);
        else Interlocked.Increment(ref failed);
        var line = JsonSerializer.Serialize(RunRecording.LineOf(result, outcome), RunRecordLines.Json.RunTenantLine);
        var sql = outcome == TenantRunResult.Succeeded ? store.Sql.MarkDone() : store.Sql.MarkFailed();
        return WithConnectionAsync(connection =>
            SharedRunStore.ExecuteAsync(connection, null, sql, Owner().Append(("tenant", result.TenantName)).Append(("outcome", line)), CancellationToken.None), CancellationToken.None);
    }

    /// <summary>Gives back a claimed tenant this runner did not start.</summary>
    internal Task<int> ReleaseAsync(string tenant) =>
        WithConnectionAsync(connection =>
            SharedRunStore.ExecuteAsync(connection, null, store.Sql.Release(), Owner().Append(("tenant", tenant)), CancellationToken.None), CancellationToken.None);

    /// <summary>When no tenant of the run is left open, closes the run with a summary over every runner's outcomes.</summary>
    public async Task CloseAsync(CancellationToken cancellationToken = default)
    {
        if (await CountOpenAsync([], cancellationToken).ConfigureAwait(false) > 0) return;
        var run = await store.ReadAsync(RunId, cancellationToken).ConfigureAwait(false);
        var summary = new RunSummaryLine
        {
            FinishedAt = DateTimeOffset.UtcNow,
            DurationMs = (long)(DateTimeOffset.UtcNow - run.StartedAt).TotalMilliseconds,
            Total = run.TenantCount,
            Succeeded = run.Done,
            Failed = run.Failed,
            MigrationsApplied = run.MigrationsApplied,
        };
        await WithConnectionAsync(connection =>
            SharedRunStore.ExecuteAsync(connection, null, store.Sql.Finish(), [("run", RunId), ("summary", JsonSerializer.Serialize(summary, RunRecordLines.Json.RunSummaryLine))], cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    private IEnumerable<(string Name, object? Value)> Owner() => [("run", RunId), ("runner", RunnerId)];

    private IEnumerable<(string Name, object? Value)> LeaseOwner() => Owner().Append(("lease_ms", (long)Lease.TotalMilliseconds));

    private static IEnumerable<(string Name, object? Value)> Names(IEnumerable<string> names) => names.Select((n, i) => ($"t{i}", (object?)n));

    private static IEnumerable<(string Name, object? Value)> Excluded(IEnumerable<string> names) => names.Select((n, i) => ($"x{i}", (object?)n));

    /// <summary>
    /// Runs on an idle connection of this runner (or a new one), so workers finishing at once do not queue behind
    /// each other; a broken connection is dropped and the call tried once more on a new one.
    /// </summary>
    private async Task<T> WithConnectionAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var connection = idle.TryTake(out var reused) ? reused : await store.OpenAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var result = await work(connection).ConfigureAwait(false);
                idle.Add(connection);
                return result;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                if (attempt >= 2 || !store.Dialect.IsTransient(ex)) throw store.Unreachable(ex);
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        while (idle.TryTake(out var connection)) await connection.DisposeAsync().ConfigureAwait(false);
    }
}

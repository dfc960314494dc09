using TenantMigrations.Engine.Dialects;
using TenantMigrations.Engine.Journal;

namespace TenantMigrations.Engine.Execution;

/// <summary>
/// Reads the journals of many tenants in batches: tenants that share a dialect's batch key (one server, or one
/// database) are read together on one connection in a few round trips.
/// </summary>
internal static class JournalBatches
{
    /// <summary>Tenants with the same key are read together: the same engine and the same dialect batch key.</summary>
    public static (DatabaseEngine Engine, string Key) KeyOf(DialectRegistry dialects, Tenant tenant) =>
        (tenant.Engine, dialects.For(tenant.Engine).StatusBatchKey(tenant));

    /// <summary>
    /// Calls <paramref name="onRead"/> once per tenant, from the worker that read its batch. A batch that cannot be
    /// read gives each of its tenants an Unreachable snapshot, unless the SQL of one journal failed it: then it is read
    /// again in halves (<see cref="ComesFromOneJournal"/>); a tenant the dialect leaves out of its batch's answer is read
    /// again alone. The tenants must have passed <see cref="TenantChecks"/>.
    /// </summary>
    public static Task ReadAsync(DialectRegistry dialects, IReadOnlyList<Tenant> tenants, string journalTable, MigrateOptions options, IFleetSink sink, int throttleLimit, Action<Tenant, JournalSnapshot, IDatabaseDialect> onRead, CancellationToken cancellationToken) =>
        ReadAsync(dialects, tenants.GroupBy(t => KeyOf(dialects, t)), journalTable, options, sink, throttleLimit, onRead, cancellationToken);

    /// <summary>As above, for tenants the caller has already grouped by <see cref="KeyOf"/>.</summary>
    public static async Task ReadAsync(DialectRegistry dialects, IEnumerable<IEnumerable<Tenant>> groups, string journalTable, MigrateOptions options, IFleetSink sink, int throttleLimit, Action<Tenant, JournalSnapshot, IDatabaseDialect> onRead, CancellationToken cancellationToken)
    {
        var batches = new List<Tenant[]>();
        foreach (var group in groups)
        {
            var readable = new List<Tenant>();
            foreach (var tenant in group)
            {
                // A tenant whose password is unavailable must not ride on a batch opened with another tenant's credentials.
                if (tenant.CredentialProblem is null) readable.Add(tenant);
                else onRead(tenant, JournalSnapshot.Unreachable(new Tenants.TenantSecretUnavailableException(tenant.Name, tenant.CredentialProblem).Message), dialects.For(tenant.Engine));
            }
            // Chunks of one database's tenants are read on parallel connections: one huge batch would use one core. At most
            // 500 a chunk: a chunk's journals are all held until it is read whole (10,000 schemas in 4 chunks peaked 60 MB higher).
            batches.AddRange(readable.Chunk(Math.Clamp((readable.Count + throttleLimit - 1) / Math.Max(1, throttleLimit), 50, 500)));
        }
        // Embedded engines read on our own cores: on 2 cores, 4 readers of 10,000 SQLite files took 5% longer than 2.
        var readers = batches.All(b => dialects.For(b[0].Engine).RunsInProcess) ? Math.Min(throttleLimit, Environment.ProcessorCount) : throttleLimit;
        await FleetWorkers.ForEachAsync(batches, readers, async (batch, token) =>
        {
            // Enough halvings to find a few broken journals among hundreds; a fleet whose every journal fails (a
            // revoked grant, a foreign table under our name) must not turn one read into hundreds.
            var halvings = 4 * (System.Numerics.BitOperations.Log2((uint)batch.Length) + 1);
            await ReadBatchAsync(batch, dialects.For(batch[0].Engine), halvings, token).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);

        // Returns how many halvings the batch it came from may still make.
        async Task<int> ReadBatchAsync(Tenant[] batch, IDatabaseDialect dialect, int halvings, CancellationToken token)
        {
            IReadOnlyDictionary<Tenant, JournalSnapshot> snapshots;
            try
            {
                snapshots = await TransientRetry.Create(dialect, options, sink, batch[0])
                    .ExecuteAsync(async t => await dialect.ReadJournalsAsync(batch, journalTable, options.Limits, t).ConfigureAwait(false), token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                if (batch.Length > 1 && halvings > 0 && ComesFromOneJournal(dialect, ex))
                {
                    // One tenant's journal must not make its neighbours unreadable: halve the batch until the error
                    // is that tenant's alone.
                    halvings = await ReadBatchAsync(batch[..(batch.Length / 2)], dialect, halvings - 1, token).ConfigureAwait(false);
                    return await ReadBatchAsync(batch[(batch.Length / 2)..], dialect, halvings, token).ConfigureAwait(false);
                }
                snapshots = batch.ToDictionary(t => t, t => JournalSnapshot.Unreachable(Redaction.MessageOf(ex, t)));
            }
            foreach (var tenant in batch)
            {
                if (snapshots.TryGetValue(tenant, out var found)) onRead(tenant, found, dialect);
                // Left out of a batch by the dialect: read alone, its error is its own.
                else if (batch.Length > 1) await ReadBatchAsync([tenant], dialect, 0, token).ConfigureAwait(false);
                else onRead(tenant, JournalSnapshot.Unreachable("the journal could not be read."), dialect);
            }
            return halvings;
        }
    }

    /// <summary>
    /// An error of the SQL itself (SQLSTATE class 42: a missing table or column, a revoked grant) comes from one
    /// tenant's journal. A failed login, a missing database or a lost server fails every tenant of the batch alike,
    /// and splitting the batch would only repeat it.
    /// </summary>
    private static bool ComesFromOneJournal(IDatabaseDialect dialect, Exception exception) =>
        dialect.DescribeError(exception).SqlState is { } state && state.StartsWith("42", StringComparison.Ordinal);
}

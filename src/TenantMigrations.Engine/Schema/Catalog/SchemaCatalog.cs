using System.Collections.Concurrent;
using TenantMigrations.Engine.Dialects;
using TenantMigrations.Engine.Execution;

namespace TenantMigrations.Engine.Schema.Catalog;

/// <summary>A tenant's live schema, or why it could not be read.</summary>
public sealed record CatalogRead(SchemaSnapshot? Snapshot, string? Problem);

/// <summary>One catalog query set: how many tenants it covered, on which engine.</summary>
public sealed record CatalogBatch(DatabaseEngine Engine, int Tenants);

/// <summary>
/// Reads the live schemas of many tenants. Tenants that share a dialect's batch key (one PostgreSQL database, one
/// MySQL server, one SQLite file) are read with ONE catalog query set, however many they are: batching is the point,
/// so a database's batch is never split. Different databases and servers are read in parallel.
/// </summary>
public sealed class SchemaCatalog(DialectRegistry? dialects = null)
{
    private readonly DialectRegistry dialects = dialects ?? DialectRegistry.CreateDefault();
    private readonly ConcurrentQueue<CatalogBatch> batches = new();

    /// <summary>Every query set this catalog has run, for logs and for tests that prove the batching.</summary>
    public IReadOnlyCollection<CatalogBatch> Batches => batches;

    /// <summary>Reads every tenant's schema; the tenants must have passed <see cref="TenantChecks"/>.</summary>
    public async Task<IReadOnlyDictionary<Tenant, CatalogRead>> ReadAsync(IReadOnlyList<Tenant> tenants, string journalTable, MigrateOptions options, IFleetSink sink, int throttleLimit, CancellationToken cancellationToken)
    {
        var excluded = ToolTables.For(journalTable);
        var groups = tenants.GroupBy(t => Execution.JournalBatches.KeyOf(dialects, t)).Select(g => g.ToList()).ToList();
        var reads = new ConcurrentDictionary<Tenant, CatalogRead>();
        await FleetWorkers.ForEachAsync(groups, throttleLimit, async (batch, token) =>
        {
            var dialect = dialects.For(batch[0].Engine);
            try
            {
                var snapshots = await TransientRetry.Create(dialect, options, sink, batch[0])
                    .ExecuteAsync(async t => await dialect.ReadSchemasAsync(batch, excluded, options.Limits, t).ConfigureAwait(false), token).ConfigureAwait(false);
                batches.Enqueue(new CatalogBatch(dialect.Engine, batch.Count));
                sink.Post(new FleetLog(FleetLogLevel.Verbose, $"Read the catalog of {batch.Count} tenant(s) ({dialect.Engine}) with one query set."));
                foreach (var tenant in batch)
                {
                    reads[tenant] = snapshots.TryGetValue(tenant, out var snapshot) ? new CatalogRead(snapshot, null) : new CatalogRead(null, "the catalog had nothing for this tenant.");
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                foreach (var tenant in batch) reads[tenant] = new CatalogRead(null, $"the catalog could not be read: {Redaction.MessageOf(ex, tenant)}");
            }
        }, cancellationToken).ConfigureAwait(false);
        return reads;
    }
}

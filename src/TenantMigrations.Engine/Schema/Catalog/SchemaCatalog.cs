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
/// MySQL server) are read with ONE catalog query set, however many they are: batching is the point,
/// so a database's batch is never split. The SQLite files of one folder are read as one batch, each file on its own.
/// Different databases, servers and folders are read in parallel.
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
        await FleetWorkers.ForEachAsync(groups, throttleLimit, (batch, token) => ReadBatchAsync(batch, token), cancellationToken).ConfigureAwait(false);
        return reads;

        async Task ReadBatchAsync(List<Tenant> batch, CancellationToken token)
        {
            var dialect = dialects.For(batch[0].Engine);
            IReadOnlyDictionary<Tenant, SchemaSnapshot> snapshots;
            try
            {
                snapshots = await TransientRetry.Create(dialect, options, sink, batch[0])
                    .ExecuteAsync(async t => await dialect.ReadSchemasAsync(batch, excluded, options.Limits, t).ConfigureAwait(false), token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                foreach (var tenant in batch) reads[tenant] = new CatalogRead(null, $"the catalog could not be read: {Redaction.MessageOf(ex, tenant)}");
                return;
            }
            batches.Enqueue(new CatalogBatch(dialect.Engine, batch.Count));
            sink.Post(new FleetLog(FleetLogLevel.Verbose, $"Read the catalog of {batch.Count} tenant(s) ({dialect.Engine}) with one query set."));
            foreach (var tenant in batch)
            {
                if (snapshots.TryGetValue(tenant, out var snapshot)) reads[tenant] = new CatalogRead(snapshot, null);
                // Left out of a batch by the dialect (one SQLite file of a folder): read alone, its error is its own.
                else if (batch.Count > 1) await ReadBatchAsync([tenant], token).ConfigureAwait(false);
                else reads[tenant] = new CatalogRead(null, "the catalog had nothing for this tenant.");
            }
        }
    }
}

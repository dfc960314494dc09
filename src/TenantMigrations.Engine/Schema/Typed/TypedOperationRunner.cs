using System.Globalization;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;

namespace TenantMigrations.Engine.Schema.Typed;

/// <summary>
/// Runs typed operations on one tenant at runtime, the way an application builds its own objects: rendered for the
/// tenant's engine, run under the tenant's migration lock, retried on transient errors, and journaled in the tenant's
/// journal as a row of kind repeatable named "runtime &lt;UTC time&gt; &lt;description&gt;" with the rendered SQL, so
/// history and replay see it like any migration.
/// </summary>
public sealed class TypedOperationRunner(FleetMigrator? migrator = null)
{
    private readonly FleetMigrator migrator = migrator ?? new FleetMigrator();

    /// <param name="migrations">The tenant's migrations folder, loaded: the tenant's journal is read against it, and
    /// its pending migrations run first, as a migrate would run them. Null only for tenants that have no folder.</param>
    /// <param name="model">What the tenant's tables look like, where an operation needs it (a SQLite NOT NULL backfill, a default batching key); see <see cref="TypedSchemaProjection.Project"/>.</param>
    /// <exception cref="MigrationSetException">An operation cannot run on the tenant's engine; nothing ran.</exception>
    public async Task<TenantMigrationResult> ApplyAsync(
        Tenant tenant,
        TypedMigration operations,
        string description,
        MigrationSet? migrations,
        MigrateOptions? options = null,
        TypedSchemaProjection? model = null,
        IFleetSink? sink = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(operations);
        if (string.IsNullOrWhiteSpace(description)) throw new ArgumentException("Describe the runtime operation: the journal names it by its description.", nameof(description));
        var runtimeDescription = $"runtime {DateTime.UtcNow.ToString("yyyyMMddHHmmssfffffff", CultureInfo.InvariantCulture)} {description.Trim()}";
        model ??= ProjectionOf(migrations, migrator.DialectFor(tenant));
        var set = MigrationSet.ForRuntime(operations, runtimeDescription, migrator.DialectFor(tenant), migrations, model);
        var recorder = new ResultRecorder(sink);
        await migrator.MigrateAsync([tenant], set, options ?? new MigrateOptions(), recorder, cancellationToken).ConfigureAwait(false);
        return recorder.Result ?? throw new OperationCanceledException("the runtime operation was cancelled before it started.", cancellationToken);
    }

    private static TypedSchemaProjection? ProjectionOf(MigrationSet? migrations, Dialects.IDatabaseDialect dialect)
    {
        if (migrations is null) return null;
        var projection = new TypedSchemaProjection(dialect.SchemaRenderer);
        foreach (var file in migrations.Versioned.Select(m => m.FileFor(dialect.Engine)))
        {
            if (file?.Typed is null) continue;
            foreach (var operation in file.Typed.Operations) projection.Apply(operation);
        }
        return projection;
    }

    private sealed class ResultRecorder(IFleetSink? inner) : IFleetSink
    {
        public TenantMigrationResult? Result { get; private set; }

        public void Post(FleetEvent fleetEvent)
        {
            if (fleetEvent is TenantFinished finished) Result = finished.Result;
            inner?.Post(fleetEvent);
        }
    }
}

using TenantMigrations.Engine.Dialects;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Planning;
using TenantMigrations.Engine.Schema.Catalog;
using TenantMigrations.Engine.Schema.Drift;

namespace TenantMigrations.Engine.Commands;

/// <summary>What a drift check found: one check per tenant in input order, and the tenants grouped into classes.</summary>
public sealed record SchemaDriftReport(IReadOnlyList<TenantSchemaCheck> Checks, IReadOnlyList<SchemaDriftClass> Classes)
{
    public bool HasDrift => Checks.Any(c => c.Status == SchemaCheckStatus.Drifted);
}

/// <summary>
/// Test-TenantSchema without PowerShell: reads every tenant's journal (for its version) and live catalog (batched per
/// database or server), compares each tenant with the reference at its own version, and writes one check per tenant,
/// or with <see cref="Summary"/> one drift class per set of differences. A tenant that cannot be read is a
/// non-terminating SchemaUnreadable error; drift itself is an outcome, not an error.
/// </summary>
public sealed class SchemaDriftCommand(MigrationSet set, int throttleLimit, ConnectionLimits? limits = null, FleetMigrator? migrator = null, SchemaCatalog? catalog = null)
    : FleetCommand(set, migrator)
{
    private readonly SchemaCatalog catalog = catalog ?? new SchemaCatalog();

    /// <summary>The name of a tenant known to be good, among the tenants given.</summary>
    public string? ReferenceTenant { get; init; }

    /// <summary>
    /// A reference other than a tenant (the seam for a fully typed folder's model), used when no reference tenant is given.
    /// </summary>
    public ISchemaReference? Reference { get; init; }

    /// <summary>Compare with the schema the fully typed migrations folder describes at each tenant's version.</summary>
    public bool TypedReference { get; init; }

    /// <summary>Write the drift classes instead of one check per tenant.</summary>
    public bool Summary { get; init; }

    /// <summary>A folder for one suggested SQL script per drift class and engine.</summary>
    public string? SuggestionFolder { get; init; }

    public SchemaDriftReport Run(ICommandHost host)
    {
        if (ReferenceTenant is null && Reference is null && !TypedReference)
        {
            throw new CommandTerminatingException(DriftErrorIds.Error(DriftErrorIds.NoSchemaReference, "Name a reference: -ReferenceTenant (CLI --reference-tenant) names a tenant known to be good, at the version to check; -TypedReference (CLI --typed-reference) compares with what a fully typed migrations folder describes.", null));
        }
        ISchemaReference? typedReference = TypedReference ? TypedFolderReferenceOf(Set) : null;
        var referenceTenant = ReferenceTenant is null ? null : Tenants.FirstOrDefault(t => string.Equals(t.Name, ReferenceTenant, StringComparison.OrdinalIgnoreCase))
            ?? throw new CommandTerminatingException(DriftErrorIds.Error(DriftErrorIds.ReferenceTenantNotFound,
                $"The reference tenant '{ReferenceTenant}' is not among the {Tenants.Count} tenant(s) given: select it too (it is compared with itself).", ReferenceTenant));

        var progress = new FleetProgress(host, "Reading tenant schemas", Tenants.Count);
        try
        {
            var (statuses, reads) = Drain(async (sink, token) =>
            {
                var read = await Migrator.GetStatusAsync(Tenants, Set, new PlanOptions(), sink, throttleLimit, limits, token).ConfigureAwait(false);
                var readable = read.Where(s => s.State is not (TenantState.Unreachable or TenantState.Invalid)).Select(s => s.Tenant).ToList();
                var options = new MigrateOptions { Limits = limits ?? new() };
                var schemas = await catalog.ReadAsync(readable, Set.Settings.JournalTable, options, sink, throttleLimit, token).ConfigureAwait(false);
                return (read, schemas);
            }, fleetEvent =>
            {
                switch (fleetEvent)
                {
                    case TenantStatusRead read:
                        progress.Finished(read.Status.TenantName);
                        break;
                    case FleetLog log:
                        Log(host, log);
                        break;
                }
            });

            var reference = Reference ?? typedReference ?? ReferenceFrom(referenceTenant!, statuses, reads);
            var checks = new List<TenantSchemaCheck>();
            var drifts = new Dictionary<TenantSchemaCheck, IReadOnlyList<SchemaDrift>>();
            foreach (var status in statuses)
            {
                var (check, tenantDrifts) = Check(status, reads, reference);
                checks.Add(check);
                drifts[check] = tenantDrifts;
                if (check.Status == SchemaCheckStatus.Unreadable)
                {
                    host.WriteError(DriftErrorIds.Error(DriftErrorIds.SchemaUnreadable, $"Tenant '{check.TenantName}': {check.Message}", check,
                        new TenantMigrationException(DriftErrorIds.SchemaUnreadable, check.TenantName, check.Message ?? "")));
                }
                if (!Summary) host.WriteObject(check);
            }

            var classes = DriftClasses.Of(checks);
            if (SuggestionFolder is not null) WriteSuggestions(host, classes, checks, drifts, reference);
            if (Summary)
            {
                foreach (var driftClass in classes) host.WriteObject(driftClass);
            }
            return new SchemaDriftReport(checks, classes);
        }
        finally
        {
            progress.Complete();
            WarnAboutRetries(host);
        }
    }

    private static TypedFolderReference TypedFolderReferenceOf(MigrationSet set)
    {
        try
        {
            return new TypedFolderReference(set, DialectRegistry.CreateDefault());
        }
        catch (InvalidOperationException ex)
        {
            throw new CommandTerminatingException(DriftErrorIds.Error(DriftErrorIds.NoSchemaReference, $"-TypedReference (CLI --typed-reference) needs a fully typed folder: {ex.Message}", null));
        }
    }

    private static TenantSchemaReference ReferenceFrom(Tenant tenant, IReadOnlyList<TenantMigrationStatus> statuses, IReadOnlyDictionary<Tenant, CatalogRead> reads)
    {
        var status = statuses.First(s => s.Tenant == tenant);
        var problem = status.State is TenantState.Unreachable or TenantState.Invalid ? status.Message ?? status.State.ToString()
            : reads.TryGetValue(tenant, out var read) && read.Snapshot is not null ? null
            : read?.Problem ?? "its catalog could not be read.";
        if (problem is not null)
        {
            throw new CommandTerminatingException(DriftErrorIds.Error(DriftErrorIds.ReferenceUnreadable, $"The reference tenant '{tenant.Name}' could not be read, so nothing was compared: {problem}", tenant.Name));
        }
        return new TenantSchemaReference(tenant, status.CurrentVersion, reads[tenant].Snapshot!);
    }

    private static (TenantSchemaCheck Check, IReadOnlyList<SchemaDrift> Drifts) Check(TenantMigrationStatus status, IReadOnlyDictionary<Tenant, CatalogRead> reads, ISchemaReference reference)
    {
        var check = new TenantSchemaCheck { Tenant = status.Tenant, Version = status.CurrentVersion, Reference = reference.Description };
        IReadOnlyList<SchemaDrift> drifts = [];
        if (status.State is TenantState.Unreachable or TenantState.Invalid)
        {
            check.Status = SchemaCheckStatus.Unreadable;
            check.Message = $"its journal could not be read ({status.State}): {status.Message}";
        }
        else if (!reads.TryGetValue(status.Tenant, out var read) || read.Snapshot is null)
        {
            check.Status = SchemaCheckStatus.Unreadable;
            check.Message = read?.Problem ?? "its catalog could not be read.";
        }
        else
        {
            var expected = reference.SchemaAt(status.Tenant, status.CurrentVersion);
            check.ReferenceVersion = expected.Version;
            if (expected.Snapshot is null)
            {
                check.Status = SchemaCheckStatus.VersionMismatch;
                check.Message = expected.NotCompared;
            }
            else
            {
                drifts = SchemaComparer.Compare(expected.Snapshot, read.Snapshot, status.Tenant.Engine);
                check.Status = drifts.Count == 0 ? SchemaCheckStatus.InSync : SchemaCheckStatus.Drifted;
                check.Differences = [.. drifts.Select(d => d.ToDifference())];
            }
        }
        check.DriftClass = DriftClasses.KeyOf(check.Status, drifts, check.Message);
        return (check, drifts);
    }

    private void WriteSuggestions(ICommandHost host, IReadOnlyList<SchemaDriftClass> classes, List<TenantSchemaCheck> checks, Dictionary<TenantSchemaCheck, IReadOnlyList<SchemaDrift>> drifts, ISchemaReference reference)
    {
        var drifted = classes.Where(c => c.Status == SchemaCheckStatus.Drifted).ToList();
        try
        {
            Directory.CreateDirectory(SuggestionFolder!);
            var now = DateTime.UtcNow;
            for (var i = 0; i < drifted.Count; i++)
            {
                var members = checks.Where(c => c.Status == SchemaCheckStatus.Drifted && c.DriftClass == drifted[i].Description).ToList();
                var paths = new List<string>();
                foreach (var engine in members.GroupBy(c => c.Engine))
                {
                    var dialect = Migrator.DialectFor(engine.First().Tenant);
                    var path = Path.Combine(SuggestionFolder!, DriftSuggestionScripts.FileName(i + 1, engine.Key));
                    var referenceText = $"{reference.Description} at version {engine.First().ReferenceVersion ?? "none"}";
                    File.WriteAllText(path, DriftSuggestionScripts.Render(dialect, i + 1, drifted.Count, referenceText, [.. engine.Select(c => c.TenantName)], drifts[engine.First()], now));
                    paths.Add(path);
                }
                drifted[i].SuggestionPath = string.Join(", ", paths);
                host.WriteVerbose($"Suggested SQL for drift class {i + 1} ({drifted[i].Count} tenant(s)): {drifted[i].SuggestionPath}");
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            host.WriteError(DriftErrorIds.Error(DriftErrorIds.SuggestionNotWritten, $"The suggested scripts could not be written to {SuggestionFolder}: {ex.Message}", SuggestionFolder, ex));
        }
    }
}

using TenantMigrations.Engine.Dialects;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Schema.Typed;

namespace TenantMigrations.Engine.Schema.Drift;

/// <summary>
/// The schema a fully typed migrations folder describes: a tenant at version V is compared with what the folder's
/// typed operations up to V build on the tenant's engine. Projections are kept per engine and version, since most
/// tenants of a fleet share both.
/// </summary>
public sealed class TypedFolderReference : ISchemaReference
{
    private readonly MigrationSet set;
    private readonly DialectRegistry dialects;
    private readonly Dictionary<(DatabaseEngine, string?), SchemaSnapshot?> projections = [];

    /// <summary>Refuses a folder that is not fully typed, naming the first plain SQL migration.</summary>
    public TypedFolderReference(MigrationSet set, DialectRegistry dialects)
    {
        this.set = set;
        this.dialects = dialects;
        var plain = set.Versioned.SelectMany(m => m.Files).FirstOrDefault(f => f.Typed is null);
        if (plain is not null)
        {
            throw new InvalidOperationException($"{plain.FileName} is plain SQL: only a fully typed folder (every versioned migration a .json file) describes a schema to compare with.");
        }
    }

    public string Description => "the typed migrations folder";

    public ReferenceSchema SchemaAt(Tenant tenant, string? version)
    {
        lock (projections)
        {
            if (!projections.TryGetValue((tenant.Engine, version), out var snapshot))
            {
                snapshot = version is null || !MigrationVersion.TryParse(version, out var parsed) || set.FindVersion(parsed) is null
                    ? null
                    : TypedSchemaProjection.Project(set, dialects.For(tenant.Engine), parsed);
                projections[(tenant.Engine, version)] = snapshot;
            }
            return snapshot is null
                ? new(null, version, $"not compared: the typed migrations folder has no version {version ?? "(none applied)"}")
                : new(snapshot, version, null);
        }
    }
}

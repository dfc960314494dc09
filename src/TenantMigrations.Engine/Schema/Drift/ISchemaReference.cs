namespace TenantMigrations.Engine.Schema.Drift;

/// <summary>
/// What a tenant's live schema should be. Drift compares each tenant only with the reference for its own version:
/// a tenant at another version is reported as not compared, never as drifted.
/// </summary>
public interface ISchemaReference
{
    /// <summary>Names the reference in results and messages, such as "tenant 'acme'".</summary>
    string Description { get; }

    /// <summary>The schema <paramref name="tenant"/> should have at <paramref name="version"/>, or why it is not compared.</summary>
    ReferenceSchema SchemaAt(Tenant tenant, string? version);
}

/// <summary>The expected schema and the reference's version; <see cref="NotCompared"/> set instead when there is none to compare with.</summary>
public sealed record ReferenceSchema(SchemaSnapshot? Snapshot, string? Version, string? NotCompared);

/// <summary>A tenant known to be good: tenants at its version are compared with its live schema.</summary>
public sealed class TenantSchemaReference(Tenant reference, string? referenceVersion, SchemaSnapshot snapshot) : ISchemaReference
{
    public string Description => $"tenant '{reference.Name}'";

    public ReferenceSchema SchemaAt(Tenant tenant, string? version) =>
        string.Equals(version, referenceVersion, StringComparison.Ordinal)
            ? new(snapshot, referenceVersion, null)
            : new(null, referenceVersion, $"not compared: at version {version ?? "none"}, reference at {referenceVersion ?? "none"}");
}

/// <summary>
/// A schema computed per version, such as the model a fully typed migrations folder describes
/// (TypedSchemaProjection): <paramref name="project"/> returns null for a version it cannot describe.
/// </summary>
public sealed class ProjectedSchemaReference(string description, Func<Tenant, string?, SchemaSnapshot?> project) : ISchemaReference
{
    public string Description => description;

    public ReferenceSchema SchemaAt(Tenant tenant, string? version) =>
        project(tenant, version) is { } snapshot
            ? new(snapshot, version, null)
            : new(null, version, $"not compared: {description} has no schema for version {version ?? "none"}");
}

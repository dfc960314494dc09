namespace TenantMigrations;

/// <summary>The outcome of comparing one tenant's live schema with its reference.</summary>
public enum SchemaCheckStatus
{
    /// <summary>The live schema is what the reference says it should be.</summary>
    InSync,

    /// <summary>The live schema differs from the reference: see the differences.</summary>
    Drifted,

    /// <summary>Not compared: the tenant is at another version than the reference, so differences would be false drift.</summary>
    VersionMismatch,

    /// <summary>Not compared: the tenant's journal or catalog could not be read.</summary>
    Unreadable,
}

/// <summary>One tenant's live schema compared with a reference, as Test-TenantSchema returns it.</summary>
public sealed class TenantSchemaCheck
{
    public Tenant Tenant { get; set; } = new();

    public string TenantName => Tenant.Name;

    public DatabaseEngine Engine => Tenant.Engine;

    public SchemaCheckStatus Status { get; set; }

    /// <summary>The tenant's current version from its journal; null when nothing is applied.</summary>
    public string? Version { get; set; }

    /// <summary>What the tenant was compared with, such as "tenant 'acme'".</summary>
    public string Reference { get; set; } = "";

    /// <summary>The version of the reference the tenant was compared with.</summary>
    public string? ReferenceVersion { get; set; }

    public SchemaDifference[] Differences { get; set; } = [];

    public int DifferenceCount => Differences.Length;

    /// <summary>
    /// The tenant's differences in one line ("extra index ix_tmp on orders; missing column orders.note"), the same
    /// text for every tenant with the same differences, so Group-Object DriftClass gives the drift classes.
    /// </summary>
    public string DriftClass { get; set; } = "";

    /// <summary>Why the tenant was not compared (version mismatch, unreadable).</summary>
    public string? Message { get; set; }

    public override string ToString() => $"{TenantName}: {Status}{(DifferenceCount > 0 ? $" ({DifferenceCount} difference(s))" : "")}";
}

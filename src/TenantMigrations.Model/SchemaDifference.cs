namespace TenantMigrations;

/// <summary>How a tenant's live object differs from the reference.</summary>
public enum SchemaDifferenceKind
{
    /// <summary>The reference has it, the tenant does not.</summary>
    Missing,

    /// <summary>The tenant has it, the reference does not.</summary>
    Extra,

    /// <summary>Both have it, with a different shape.</summary>
    Changed,
}

/// <summary>The kind of schema object a difference is about.</summary>
public enum SchemaObjectType
{
    Table,
    Column,
    PrimaryKey,
    Index,
    UniqueConstraint,
    ForeignKey,
    View,
}

/// <summary>One difference between a tenant's live schema and its reference, as Test-TenantSchema reports it.</summary>
public sealed class SchemaDifference
{
    public SchemaDifferenceKind Kind { get; set; }

    public SchemaObjectType ObjectType { get; set; }

    /// <summary>The object, qualified by its table where it has one: "orders", "orders.ix_tmp", "users.phone".</summary>
    public string Name { get; set; } = "";

    /// <summary>The reference's shape of the object, null when it is extra.</summary>
    public string? Expected { get; set; }

    /// <summary>The tenant's shape of the object, null when it is missing.</summary>
    public string? Actual { get; set; }

    /// <summary>One line for people: "extra index ix_tmp on orders", "column users.phone is varchar(20), expected varchar(32)".</summary>
    public string Description { get; set; } = "";

    public override string ToString() => Description;
}

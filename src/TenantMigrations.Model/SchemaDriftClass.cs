namespace TenantMigrations;

/// <summary>
/// Tenants that share one outcome and the same set of differences, as Test-TenantSchema -Summary returns them:
/// operators fix a class of drift with one migration, not each tenant by hand.
/// </summary>
public sealed class SchemaDriftClass
{
    public SchemaCheckStatus Status { get; set; }

    public int Count { get; set; }

    /// <summary>The shared differences in one line, or why the tenants were not compared.</summary>
    public string Description { get; set; } = "";

    public SchemaDifference[] Differences { get; set; } = [];

    /// <summary>The names of the class's tenants, in input order.</summary>
    public string[] Tenants { get; set; } = [];

    /// <summary>The suggested SQL script written for the class, when a suggestion folder was given.</summary>
    public string? SuggestionPath { get; set; }

    public override string ToString() => $"{Count} tenant(s): {Description}";
}

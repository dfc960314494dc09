namespace TenantMigrations;

/// <summary>A tenant's recorded history written as a migrations folder, as Export-TenantMigrationHistory returns it.</summary>
public sealed class TenantHistoryExport
{
    public Tenant Tenant { get; set; } = new();

    public string TenantName => Tenant.Name;

    public DatabaseEngine Engine => Tenant.Engine;

    /// <summary>The folder written.</summary>
    public string OutputPath { get; set; } = "";

    /// <summary>The highest version exported; null when only repeatables were applied.</summary>
    public string? CurrentVersion { get; set; }

    /// <summary>The versions written, lowest first.</summary>
    public string[] Versions { get; set; } = [];

    /// <summary>The repeatables written, in the order the tenant last applied them.</summary>
    public string[] Repeatables { get; set; } = [];

    /// <summary>The file names written, in the order a migrate runs them.</summary>
    public string[] Files { get; set; } = [];

    /// <summary>Failed or incomplete journal rows left out.</summary>
    public string[] Skipped { get; set; } = [];

    public override string ToString() => $"{TenantName}: {Files.Length} files in {OutputPath}";
}

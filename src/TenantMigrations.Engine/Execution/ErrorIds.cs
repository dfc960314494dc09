namespace TenantMigrations.Engine;

/// <summary>Stable error identifiers, used as PowerShell FullyQualifiedErrorId prefixes and in JSON output.</summary>
public static class ErrorIds
{
    public const string MigrationFailed = "MigrationFailed";
    public const string TenantLocked = "TenantLocked";
    public const string ChecksumMismatch = "ChecksumMismatch";
    public const string MissingMigration = "MissingMigration";
    public const string IncompleteMigration = "IncompleteMigration";
    public const string OutOfOrder = "OutOfOrderMigration";
    public const string TenantUnreachable = "TenantUnreachable";
    public const string InvalidMigration = "InvalidMigration";
    public const string InvalidTenant = "InvalidTenant";
    public const string Cancelled = "MigrationCancelled";

    /// <summary>The PowerShell ErrorCategory name for an error id (the engine has no PowerShell reference).</summary>
    public static string CategoryFor(string errorId) => errorId switch
    {
        TenantLocked => "ResourceBusy",
        ChecksumMismatch or MissingMigration or IncompleteMigration or OutOfOrder => "InvalidData",
        TenantUnreachable => "ConnectionError",
        InvalidMigration or InvalidTenant => "InvalidArgument",
        Cancelled => "OperationStopped",
        _ => "InvalidOperation",
    };
}

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

    /// <summary>A migration's DDL kept waiting for a table lock past the DDL lock timeout, on every attempt.</summary>
    public const string LockTimeout = "LockTimeout";

    /// <summary>A fault inside the tenant outside any migration's SQL: permission denied on the journal, a failed commit.</summary>
    public const string TenantFailed = "TenantFailed";

    /// <summary>A migrate's target version is below the version a tenant is already at.</summary>
    public const string TargetBelowCurrent = "TargetBelowCurrent";

    /// <summary>A verify script failed or its query returned no row after the migration ran; the journal is unchanged.</summary>
    public const string VerificationFailed = "VerificationFailed";

    /// <summary>An applied version above an undo's target has no U script: nothing of the tenant is undone.</summary>
    public const string MissingUndo = "MissingUndo";

    /// <summary>A baseline was asked for a tenant that already has applied versions.</summary>
    public const string AlreadyMigrated = "AlreadyMigrated";

    /// <summary>A baseline was asked for a tenant with no tables: there is no existing schema to stand for.</summary>
    public const string NothingToBaseline = "NothingToBaseline";

    /// <summary>The tenant's password (an encrypted catalog column, a named secret) could not be resolved: it is Unreachable.</summary>
    public const string TenantSecretUnavailable = "TenantSecretUnavailable";
    /// <summary>The tenant's SQLite file, schema or database does not exist, and the run does not create tenants.</summary>
    public const string TenantNotFound = "TenantNotFound";

    /// <summary>A provisioning template cannot be used: missing, on another server, blocked, busy or holding objects the copy cannot carry.</summary>
    public const string TemplateUnusable = "TemplateUnusable";

    /// <summary>The connection may not create the tenant's database or schema.</summary>
    public const string CreateDenied = "CreateDenied";

    /// <summary>The PowerShell ErrorCategory name for an error id (the engine has no PowerShell reference).</summary>
    public static string CategoryFor(string errorId) => errorId switch
    {
        TenantLocked or LockTimeout => "ResourceBusy",
        ChecksumMismatch or MissingMigration or IncompleteMigration or OutOfOrder or TargetBelowCurrent or MissingUndo or NothingToBaseline => "InvalidData",
        AlreadyMigrated => "ResourceExists",
        TenantNotFound => "ObjectNotFound",
        CreateDenied => "PermissionDenied",
        TemplateUnusable => "InvalidArgument",
        TenantUnreachable => "ConnectionError",
        TenantSecretUnavailable => "AuthenticationError",
        InvalidMigration or InvalidTenant => "InvalidArgument",
        Cancelled => "OperationStopped",
        VerificationFailed => "InvalidResult",
        _ => "InvalidOperation",
    };
}

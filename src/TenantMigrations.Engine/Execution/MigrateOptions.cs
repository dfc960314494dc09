using System.Reflection;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Planning;

namespace TenantMigrations.Engine.Execution;

public sealed record MigrateOptions
{
    public PlanOptions Plan { get; init; } = new();

    /// <summary>How many tenants run at once.</summary>
    public int ThrottleLimit { get; init; } = 4;

    /// <summary>Plan and report only: no lock, no journal table, no change.</summary>
    public bool DryRun { get; init; }

    /// <summary>How long to wait for a tenant's lock before reporting it Locked.</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Attempts for transient connection failures (1 = no retry).</summary>
    public int MaxAttempts { get; init; } = 4;

    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How long connecting and each command may take.</summary>
    public ConnectionLimits Limits { get; init; } = new();

    /// <summary>
    /// How long a migration's DDL may wait for a table lock (PostgreSQL lock_timeout, MySQL lock_wait_timeout) before
    /// it is rolled back and retried, so that a queued ALTER TABLE never blocks a busy table for long.
    /// </summary>
    public TimeSpan DdlLockTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Attempts of a migration whose DDL lock wait timed out, before the tenant fails with LockTimeout.</summary>
    public int DdlLockAttempts { get; init; } = 3;

    /// <summary>Undo instead of migrate: run the U scripts of applied versions, highest first. Null migrates.</summary>
    public UndoRequest? Undo { get; init; }

    /// <summary>Write a baseline row at this version instead of migrating (tenants without applied versions only).</summary>
    public MigrationVersion? BaselineAt { get; init; }

    /// <summary>A tenant with tables but no journal history is baselined at this version before it migrates.</summary>
    public MigrationVersion? BaselineOnMigrate { get; init; }

    /// <summary>
    /// Create a tenant whose SQLite file, schema or database is missing (migrate --create, New-Tenant). Off, such a
    /// tenant is TenantNotFound: a mistyped name or a path resolved from the wrong folder never becomes an empty tenant.
    /// </summary>
    public bool CreateMissing { get; init; }

    /// <summary>
    /// Flyway's group: a tenant's pending transactional migrations run in one transaction with one commit, each still
    /// journaled in its own row. Engines whose DDL commits by itself (MySQL, MariaDB) refuse it.
    /// </summary>
    public bool Group { get; init; }

    public string RunId { get; init; } = Guid.NewGuid().ToString("N");

    public string AppliedBy { get; init; } = $"{Environment.UserName}@{Environment.MachineName}";

    public static string ToolVersion { get; } =
        typeof(MigrateOptions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public void Validate()
    {
        if (ThrottleLimit < 1) throw new ArgumentOutOfRangeException(nameof(ThrottleLimit), ThrottleLimit, "ThrottleLimit must be at least 1.");
        if (LockTimeout < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(LockTimeout), LockTimeout, "LockTimeout cannot be negative.");
        if (DdlLockTimeout < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(DdlLockTimeout), DdlLockTimeout, "DdlLockTimeout cannot be negative.");
        if (DdlLockAttempts < 1) throw new ArgumentOutOfRangeException(nameof(DdlLockAttempts), DdlLockAttempts, "DdlLockAttempts must be at least 1.");
        Limits.Validate();
        if (MaxAttempts < 1) throw new ArgumentOutOfRangeException(nameof(MaxAttempts), MaxAttempts, "MaxAttempts must be at least 1.");
    }
}

/// <summary>Time limits for the tool's connections; null keeps the engine's default.</summary>
public sealed record ConnectionLimits
{
    /// <summary>How long opening a connection may take (the driver's default when null).</summary>
    public TimeSpan? ConnectTimeout { get; init; }

    /// <summary>How long one command may run. When null the tool's own queries get 30 s and migration statements have no limit.</summary>
    public TimeSpan? CommandTimeout { get; init; }

    public static readonly TimeSpan DefaultToolCommandTimeout = TimeSpan.FromSeconds(30);

    public void Validate()
    {
        if (ConnectTimeout is { } connect && (connect <= TimeSpan.Zero || connect > TimeSpan.FromHours(1))) throw new ArgumentOutOfRangeException(nameof(ConnectTimeout), connect, "ConnectTimeout must be between 1 second and 1 hour.");
        if (CommandTimeout is { } command && command < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(CommandTimeout), command, "CommandTimeout cannot be negative.");
    }
}

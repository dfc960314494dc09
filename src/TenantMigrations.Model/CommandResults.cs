namespace TenantMigrations;

/// <summary>The SQL a migrate would send to one tenant, as Export-TenantMigrationSql returns it.</summary>
public sealed class TenantMigrationScript
{
    public Tenant Tenant { get; set; } = new();

    public string TenantName => Tenant.Name;

    public DatabaseEngine Engine => Tenant.Engine;

    public TenantState State { get; set; }

    /// <summary>The versions (and repeatable descriptions) the script applies, in order.</summary>
    public string[] Versions { get; set; } = [];

    public string Sql { get; set; } = "";

    /// <summary>The file the script was written to; null when it was returned as an object only.</summary>
    public string? Path { get; set; }

    /// <summary>Why there is nothing to run (blocked, unreachable); null otherwise.</summary>
    public string? Problem { get; set; }

    public override string ToString() => Path ?? $"{TenantName}: {Versions.Length} migration(s)";
}

/// <summary>Whether one tenant can be migrated cleanly with the current files, as Test-TenantMigration reports it.</summary>
public sealed class TenantMigrationTestResult
{
    public Tenant Tenant { get; set; } = new();

    public string TenantName => Tenant.Name;

    public DatabaseEngine Engine => Tenant.Engine;

    public TenantState State { get; set; }

    public bool Passed { get; set; }

    public int PendingCount { get; set; }

    /// <summary>One line per problem found: drift, failed or incomplete versions, out-of-order versions, connection errors.</summary>
    public string[] Problems { get; set; } = [];

    public override string ToString() => $"{TenantName}: {(Passed ? "passed" : "failed")}";
}

/// <summary>What Repair-TenantMigration changed (or, when declined, would change) in one tenant's journal.</summary>
public sealed class TenantRepairResult
{
    public Tenant Tenant { get; set; } = new();

    public string TenantName => Tenant.Name;

    public DatabaseEngine Engine => Tenant.Engine;

    public TenantState StateBefore { get; set; }

    public TenantState StateAfter { get; set; }

    /// <summary>Versions whose failed journal rows were removed; they are pending again.</summary>
    public string[] RemovedFailed { get; set; } = [];

    /// <summary>Versions whose 'running' rows, left by a run that never finished, were removed; they are pending again.</summary>
    public string[] RemovedIncomplete { get; set; } = [];

    /// <summary>Applied versions whose recorded checksum was replaced by the checksum of the current file.</summary>
    public string[] RealignedChecksums { get; set; } = [];

    /// <summary>Applied versions whose file is gone; repair leaves them for a human to restore.</summary>
    public string[] MissingFiles { get; set; } = [];

    public bool Changed => RemovedFailed.Length + RemovedIncomplete.Length + RealignedChecksums.Length > 0;

    public MigrationError? Error { get; set; }

    public override string ToString() => $"{TenantName}: {StateBefore} -> {StateAfter}";
}

/// <summary>A tenant could not be migrated, checked or repaired; <see cref="ErrorId"/> is stable and scriptable.</summary>
public sealed class TenantMigrationException : Exception
{
    public TenantMigrationException(string errorId, string tenantName, string message, MigrationError? error = null)
        : base(message)
    {
        ErrorId = errorId;
        TenantName = tenantName;
        Error = error;
    }

    public string ErrorId { get; }

    public string TenantName { get; }

    public MigrationError? Error { get; }
}

namespace TenantMigrations;

/// <summary>Where and why a tenant's run stopped.</summary>
public sealed class MigrationError
{
    /// <summary>A stable identifier such as MigrationFailed, TenantLocked or ChecksumMismatch.</summary>
    public string ErrorId { get; set; } = "";

    public string Message { get; set; } = "";

    public string? Version { get; set; }

    public string? Script { get; set; }

    /// <summary>The statement that failed, when the server or the statement splitter knows it.</summary>
    public string? Statement { get; set; }

    /// <summary>How many statements of the failing script completed before the failure (non-transactional runs).</summary>
    public int? StatementsCompleted { get; set; }

    /// <summary>1-based character position of the error inside the statement, when the server reports it.</summary>
    public int? Position { get; set; }

    public string? SqlState { get; set; }

    public override string ToString() => Version is null ? $"{ErrorId}: {Message}" : $"{ErrorId} at {Version}: {Message}";
}

/// <summary>One migration applied (or, in a dry run, that would be applied) to a tenant.</summary>
public sealed class AppliedMigration
{
    public string? Version { get; set; }

    public string Description { get; set; } = "";

    public MigrationKind Kind { get; set; }

    public string Script { get; set; } = "";

    public JournalState State { get; set; }

    public TimeSpan Duration { get; set; }

    public override string ToString() => Version is null ? Description : $"{Version} {Description}";
}

/// <summary>The outcome of migrating one tenant.</summary>
public sealed class TenantMigrationResult
{
    public Tenant Tenant { get; set; } = new();

    public string TenantName => Tenant.Name;

    public DatabaseEngine Engine => Tenant.Engine;

    public TenantState StateBefore { get; set; }

    public TenantState StateAfter { get; set; }

    public string? VersionBefore { get; set; }

    public string? VersionAfter { get; set; }

    public AppliedMigration[] Applied { get; set; } = [];

    /// <summary>What a dry run would apply; empty for a real run.</summary>
    public AppliedMigration[] Planned { get; set; } = [];

    public MigrationError? Error { get; set; }

    public TimeSpan Duration { get; set; }

    public bool DryRun { get; set; }

    public string RunId { get; set; } = "";

    /// <summary>The wave the tenant ran in, for a run in waves.</summary>
    public string? Wave { get; set; }

    /// <summary>Locked by another runner and left to it (--skip-locked): not a failure.</summary>
    public bool Skipped { get; set; }

    public bool Succeeded => Error is null && StateAfter is TenantState.UpToDate or TenantState.Pending;

    /// <summary>This run created the tenant's file, schema or database (New-Tenant, migrate --create).</summary>
    public bool Created { get; set; }

    /// <summary>The template the tenant was copied from, when New-Tenant -Template created it.</summary>
    public string? Template { get; set; }

    public override string ToString() => $"{TenantName}: {StateBefore} -> {StateAfter}";
}

/// <summary>The state of one tenant against a migrations folder.</summary>
public sealed class TenantMigrationStatus
{
    public Tenant Tenant { get; set; } = new();

    public string TenantName => Tenant.Name;

    public DatabaseEngine Engine => Tenant.Engine;

    public TenantState State { get; set; }

    public string? CurrentVersion { get; set; }

    public int PendingCount => Pending.Length;

    /// <summary>Versions (and repeatable descriptions) that a migrate would apply, in order.</summary>
    public string[] Pending { get; set; } = [];

    public string[] Failed { get; set; } = [];

    /// <summary>Checksum mismatches and applied migrations whose file is gone, one line each.</summary>
    public string[] Drift { get; set; } = [];

    /// <summary>Pending versions lower than the highest applied one.</summary>
    public string[] OutOfOrder { get; set; } = [];

    /// <summary>Versions recorded as running by a run that never finished.</summary>
    public string[] Incomplete { get; set; } = [];

    public DateTime? LastAppliedAt { get; set; }

    /// <summary>Why the tenant is Invalid, Unreachable, Locked or blocked.</summary>
    public string? Message { get; set; }

    public override string ToString() => $"{TenantName}: {State} ({CurrentVersion ?? "none"})";
}

/// <summary>What a whole fleet run did.</summary>
public sealed class MigrationRunSummary
{
    public string RunId { get; set; } = "";

    public int Total { get; set; }

    public int Succeeded { get; set; }

    public int Failed { get; set; }

    public int Locked { get; set; }

    public int Blocked { get; set; }

    public int Unreachable { get; set; }

    /// <summary>Tenants never started: the run was cancelled, or stopped by the breaker, the time budget or a wave gate.</summary>
    public int Skipped { get; set; }

    /// <summary>Tenants locked by another runner and left to it (--skip-locked); they are not failures.</summary>
    public int SkippedLocked { get; set; }

    /// <summary>Of the failed tenants, those whose migrations applied but whose verify script did not pass.</summary>
    public int VerificationFailed { get; set; }

    public int MigrationsApplied { get; set; }

    /// <summary>An undo run: its <see cref="MigrationsApplied"/> are U scripts, and it says "undone".</summary>
    public bool IsUndo { get; set; }

    public bool Cancelled { get; set; }

    /// <summary>Why the run stopped starting tenants early; None when it did not.</summary>
    public RunStopReason StoppedBy { get; set; }

    /// <summary>Each wave's outcome, in order, for a run in waves; empty for a flat run.</summary>
    public WaveOutcome[] Waves { get; set; } = [];

    /// <summary>The names of the tenants that did not succeed (skipped-locked ones excepted), sorted by name.</summary>
    public string[] FailedTenants { get; set; } = [];

    public TimeSpan Duration { get; set; }

    public bool AllSucceeded => Failed == 0 && Locked == 0 && Blocked == 0 && Unreachable == 0 && !Cancelled && StoppedBy == RunStopReason.None;

    public override string ToString() =>
        $"{Total} tenants: {Succeeded} succeeded, {Failed} failed, {Locked} locked, {Blocked} blocked, {Unreachable} unreachable, {MigrationsApplied} migrations {(IsUndo ? "undone" : "applied")} in {Duration.TotalSeconds:0.00}s"
        + (SkippedLocked > 0 ? $", {SkippedLocked} skipped (locked by another runner)" : "")
        + StopNote;

    private string StopNote => StoppedBy switch
    {
        RunStopReason.CircuitBreaker => $"; stopped by the circuit breaker: {Skipped} tenants not started",
        RunStopReason.TimeBudget => $"; time budget spent: {Skipped} tenants not started",
        RunStopReason.WaveGate => $"; stopped at a wave gate: {Skipped} tenants not started",
        _ => "",
    };
}

/// <summary>What one wave of a run did, and whether its gate let the next wave start.</summary>
public sealed class WaveOutcome
{
    public string Name { get; set; } = "";

    public int Total { get; set; }

    public int Succeeded { get; set; }

    /// <summary>Tenants that count against the wave's allowance: failed, blocked, unreachable, locked or verification failed.</summary>
    public int Failed { get; set; }

    public int VerificationFailed { get; set; }

    public int SkippedLocked { get; set; }

    public int NotStarted { get; set; }

    /// <summary>False when the wave ended beyond its allowance, failed verification, or did not run to the end.</summary>
    public bool Passed { get; set; }

    public override string ToString() =>
        $"wave {Name}: {Total} tenants, {Succeeded} succeeded, {Failed} failed ({VerificationFailed} verification), {NotStarted} not started: {(Passed ? "passed" : "not passed")}";
}

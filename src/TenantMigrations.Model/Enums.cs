namespace TenantMigrations;

public enum DatabaseEngine
{
    Sqlite,
    Postgres,
    MySql,
}

/// <summary>The overall state of one tenant, most severe first when several apply.</summary>
public enum TenantState
{
    UpToDate,
    Pending,
    Failed,
    Drifted,
    Incomplete,
    Locked,
    Unreachable,
    Invalid,
}

public enum MigrationKind
{
    Versioned,
    Repeatable,
    Undo,
    Baseline,

    /// <summary>A V&lt;version&gt;__&lt;desc&gt;.verify.sql script: checks its migration after it ran, never journaled.</summary>
    Verify,

    /// <summary>A journal row saying the tenant was copied from a template at a version; the planner ignores it.</summary>
    Template,
}

public enum JournalState
{
    Running,
    Succeeded,
    Failed,
}

/// <summary>Why a run stopped before starting every tenant it selected.</summary>
public enum RunStopReason
{
    None,

    /// <summary>--max-failures or --max-failure-rate was crossed.</summary>
    CircuitBreaker,

    /// <summary>--max-duration was spent.</summary>
    TimeBudget,

    /// <summary>A wave ended beyond its failure allowance or failed its verification: the next waves did not start.</summary>
    WaveGate,
}

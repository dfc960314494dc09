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
}

public enum JournalState
{
    Running,
    Succeeded,
    Failed,
}

using TenantMigrations.Engine.Commands;

namespace TenantMigrations.Engine.Replay;

/// <summary>Stable error ids of history export and replay.</summary>
public static class ReplayErrorIds
{
    /// <summary>The source's journal cannot be turned into migrations: none, a baseline, or a row without its script.</summary>
    public const string HistoryNotReplayable = "HistoryNotReplayable";

    /// <summary>The replay target holds tables or journal rows.</summary>
    public const string TargetNotEmpty = "TargetNotEmpty";

    /// <summary>The replay target does not exist (no SQLite file, no schema).</summary>
    public const string TargetNotFound = "TargetNotFound";

    /// <summary>The export folder holds files and -Force/--force was not given.</summary>
    public const string OutputExists = "HistoryOutputExists";

    /// <summary>One tenant's history per call: several tenants, or the same tenant as source and target.</summary>
    public const string InvalidReplayTenants = "InvalidReplayTenants";

    public static string CategoryFor(string errorId) => errorId switch
    {
        HistoryNotReplayable => "InvalidData",
        TargetNotEmpty or OutputExists => "ResourceExists",
        TargetNotFound => "ObjectNotFound",
        InvalidReplayTenants => "InvalidArgument",
        _ => CommandErrorIds.CategoryFor(errorId),
    };

    public static CommandError Error(string errorId, string message, object? target) =>
        new(errorId, CategoryFor(errorId), message, target, new InvalidOperationException(message));

    public static CommandTerminatingException Terminating(string errorId, string message, object? target) => new(Error(errorId, message, target));
}

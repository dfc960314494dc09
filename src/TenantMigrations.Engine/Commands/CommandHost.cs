using TenantMigrations.Engine.Execution;

namespace TenantMigrations.Engine.Commands;

/// <summary>
/// What a command needs from its host (a cmdlet, or a test). Commands call it only from the thread that called
/// them, so a cmdlet can forward every call to WriteObject, WriteError and friends directly.
/// </summary>
public interface ICommandHost
{
    /// <summary>
    /// Asks whether to make a change; false under -WhatIf or when the user declines. <paramref name="whatIf"/> tells
    /// the two apart: a dry run still reports what it would have done.
    /// </summary>
    bool ShouldProcess(string target, string action, out bool whatIf);

    void WriteObject(object value);

    /// <summary>A non-terminating error: the command carries on with the other tenants.</summary>
    void WriteError(CommandError commandError);

    void WriteProgress(ProgressUpdate progress);

    void WriteVerbose(string message);

    void WriteWarning(string message);

    /// <summary>A notice worth showing without asking for detail (a resumed or shared run): verbose for a cmdlet, a stderr line in the CLI.</summary>
    void WriteInformation(string message) => WriteVerbose(message);
}

/// <summary>An error as PowerShell records it: a stable id, an ErrorCategory name, and the object it is about.</summary>
public sealed record CommandError(string ErrorId, string Category, string Message, object? TargetObject, Exception Exception)
{
    public static CommandError For(string errorId, string message, object? target, Exception? exception = null) =>
        new(errorId, ErrorIds.CategoryFor(errorId), message, target, exception ?? new InvalidOperationException(message));
}

/// <summary>The whole call is invalid (bad folder, bad settings, bad tenant source): nothing ran.</summary>
public sealed class CommandTerminatingException(CommandError error) : Exception(error.Message, error.Exception)
{
    public CommandError Error { get; } = error;
}

/// <summary>
/// One Write-Progress record. A negative percentage or number of seconds means unknown. A fleet's parent record also
/// carries its <see cref="Figures"/>, for hosts that draw progress their own way (the CLI's status line and JSON lines).
/// </summary>
public sealed record ProgressUpdate(
    int ActivityId,
    string Activity,
    string StatusDescription,
    int PercentComplete = -1,
    int ParentActivityId = -1,
    string? CurrentOperation = null,
    bool Completed = false,
    int SecondsRemaining = -1,
    FleetProgressFigures? Figures = null);

/// <summary>Extra stable error ids for failures of a whole call, next to the per-tenant ones in <see cref="ErrorIds"/>.</summary>
public static class CommandErrorIds
{
    public const string InvalidMigrationFolder = "InvalidMigrationFolder";
    public const string InvalidTenantSource = "InvalidTenantSource";

    /// <summary>Discovery or a catalog query kept failing on transient errors: a failure to retry later, not bad input.</summary>
    public const string TenantSourceUnreachable = "TenantSourceUnreachable";
    public const string NoTenants = "NoTenants";
    public const string TenantNotFound = "TenantNotFound";
    public const string DuplicateTenant = "DuplicateTenant";
    public const string MigrationFileExists = "MigrationFileExists";
    public const string ExportFailed = "ExportFailed";
    public const string SqlitePathNotFound = "SqlitePathNotFound";

    public static string CategoryFor(string errorId) => errorId switch
    {
        InvalidMigrationFolder => "InvalidData",
        InvalidTenantSource or DuplicateTenant => "InvalidArgument",
        TenantSourceUnreachable => "ConnectionError",
        NoTenants or TenantNotFound or SqlitePathNotFound => "ObjectNotFound",
        MigrationFileExists => "ResourceExists",
        ExportFailed => "WriteError",
        _ => ErrorIds.CategoryFor(errorId),
    };

    public static CommandError Error(string errorId, string message, object? target, Exception? exception = null) =>
        new(errorId, CategoryFor(errorId), message, target, exception ?? new InvalidOperationException(message));

    public static CommandTerminatingException Terminating(string errorId, string message, object? target, Exception? exception = null) =>
        new(Error(errorId, message, target, exception));
}

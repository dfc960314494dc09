using System.CommandLine;
using TenantMigrations.Engine.Commands;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Tenants;

namespace TenantMigrations.Cli;

public static class CliApp
{
    public static RootCommand CreateRootCommand()
    {
        var root = new RootCommand("TenantMigrations: migrate fleets of tenant databases (SQLite files, PostgreSQL schemas or databases, MySQL/MariaDB databases).");
        root.Subcommands.Add(StatusCommand.Create(new FleetOptions()));
        root.Subcommands.Add(MigrateCommand.Create(new FleetOptions()));
        root.Subcommands.Add(UndoCommand.Create(new FleetOptions()));
        root.Subcommands.Add(BaselineCommand.Create(new FleetOptions()));
        root.Subcommands.Add(ExportCommand.Create(new FleetOptions()));
        root.Subcommands.Add(ValidateCommand.Create(new FleetOptions()));
        root.Subcommands.Add(RepairCommand.Create(new FleetOptions()));
        root.Subcommands.Add(HistoryCommand.Create(new FleetOptions()));
        root.Subcommands.Add(DriftCommand.Create(new FleetOptions()));
        root.Subcommands.Add(ReplayCommand.Create(new FleetOptions()));
        root.Subcommands.Add(ProvisionCommand.Create(new FleetOptions()));
        root.Subcommands.Add(NewCommand.Create());
        root.Subcommands.Add(RunsCommand.Create());
        return root;
    }

    /// <summary>
    /// Runs a command body and turns failures into an exit code and one clear message on stderr (plus an
    /// {"type":"error"} line on stdout in JSON mode), never a stack trace.
    /// </summary>
    public static async Task<int> RunAsync(bool json, Func<CliConsole, Task<int>> body)
    {
        var console = CliConsole.ForProcess();
        try
        {
            return await body(console).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            var (code, errorId, message) = Classify(ex);
            if (json) console.Json(JsonLines.Error(errorId, message, code));
            console.Error($"error: {message}");
            return code;
        }
    }

    /// <summary>
    /// The exit code, error id and message of a failure. An engine command's terminating error is read through the
    /// exception it wraps when the CLI knows that one, so that both paths to a failure say the same.
    /// </summary>
    private static (int Code, string ErrorId, string Message) Classify(Exception ex)
    {
        if (ex is CommandTerminatingException terminating)
        {
            var inner = terminating.InnerException is { } cause ? Classify(cause) : default;
            if (inner.ErrorId is not null and not "UnexpectedError") return inner;
            var code = terminating.Error.Category is "ConnectionError" or "WriteError" ? ExitCodes.TenantsFailed : ExitCodes.InvalidInput;
            return (code, terminating.Error.ErrorId, terminating.Error.Message);
        }
        return ex switch
        {
            MigrationSetException e => (ExitCodes.InvalidInput, "InvalidMigrationSet", "invalid migrations: " + e.Message),
            TenantSourceUnreachableException e => (ExitCodes.TenantsFailed, "TenantSourceUnreachable", "tenants unreachable: " + e.Message),
            TenantSourceException e => (ExitCodes.InvalidInput, "InvalidTenantSource", "invalid tenants: " + e.Message),
            UsageException e => (ExitCodes.InvalidInput, "InvalidArgument", e.Message),
            Engine.Rollouts.RunRecords.RunNotFoundException e => (ExitCodes.InvalidInput, "RunNotFound", e.Message),
            InvalidDataException e => (ExitCodes.InvalidInput, "InvalidRunRecord", e.Message),
            ArgumentException e => (ExitCodes.InvalidInput, "InvalidArgument", e.Message),
            Engine.Rollouts.SharedRuns.SharedRunStoreException e => (ExitCodes.TenantsFailed, "RunStoreUnreachable", "run store unreachable: " + e.Message),
            IOException or UnauthorizedAccessException => (ExitCodes.InvalidInput, "IOError", ex.Message),
            OperationCanceledException => (ExitCodes.TenantsFailed, "Cancelled", "cancelled."),
            _ => (ExitCodes.TenantsFailed, "UnexpectedError", $"unexpected error ({ex.GetType().Name}): {ex.Message}"),
        };
    }

    public static string Seconds(TimeSpan duration) => $"{duration.TotalSeconds:0.00}s";

    public static string OneLine(string? text) => string.Join(' ', (text ?? "").Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}

using System.CommandLine;
using TenantMigrations.Engine.Commands;
using TenantMigrations.Engine.Migrations;

namespace TenantMigrations.Cli;

/// <summary>
/// What history export and replay need from the migrations folder: only its settings (the journal table). Without
/// --migrations and without a ./migrations folder, the defaults serve.
/// </summary>
internal static class HistorySettings
{
    public static MigrationSet Load(FleetOptions options, ParseResult parseResult)
    {
        var given = parseResult.GetResult(options.Migrations) is { Implicit: false };
        if (!given && !Directory.Exists(parseResult.GetValue(options.Migrations)))
        {
            return MigrationSet.InMemory("(default settings)", new MigrationSettings(), [], []);
        }
        return options.LoadMigrations(parseResult);
    }

    /// <summary>A failure of the whole call, from the engine command: one error line, exit code by kind.</summary>
    public static int Report(CliConsole console, bool json, CommandTerminatingException ex)
    {
        var code = ex.Error.Category is "ConnectionError" or "ResourceUnavailable" || ex.Error.ErrorId is "TenantUnreachable" ? ExitCodes.TenantsFailed : ExitCodes.InvalidInput;
        if (json) console.Json(JsonLines.Error(ex.Error.ErrorId, CliApp.OneLine(ex.Error.Message), code));
        console.Error($"error: {ex.Error.ErrorId}: {CliApp.OneLine(ex.Error.Message)}");
        return code;
    }
}

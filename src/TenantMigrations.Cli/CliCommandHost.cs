using TenantMigrations.Engine.Commands;

namespace TenantMigrations.Cli;

/// <summary>
/// Runs an engine command (the cmdlets' logic) in the CLI: objects go to <paramref name="onObject"/>, errors and
/// warnings to stderr (and a JSON line in JSON mode), progress and verbose text nowhere. The CLI never prompts:
/// <paramref name="approve"/> answers ShouldProcess, or a missing one declines as a dry run.
/// <paramref name="onError"/> lets a verb print an error its own way (it returns true then); every error still counts.
/// </summary>
public sealed class CliCommandHost(CliConsole console, bool json, Action<object> onObject, Func<string, string, bool>? approve = null, Func<CommandError, bool>? onError = null) : ICommandHost
{
    public int ErrorCount { get; private set; }

    /// <summary>The ids of the errors written, in order, for verbs whose exit code depends on the kind of error.</summary>
    public List<string> ErrorIds { get; } = [];

    /// <summary>Runs the command's body off the caller's thread, cancelling the command when the CLI is interrupted.</summary>
    public static async Task RunAsync(FleetCommand command, Action body, CancellationToken cancellationToken)
    {
        using (cancellationToken.Register(command.Cancel))
        {
            await Task.Run(body, CancellationToken.None).ConfigureAwait(false);
        }
        cancellationToken.ThrowIfCancellationRequested();
    }

    public bool ShouldProcess(string target, string action, out bool whatIf)
    {
        whatIf = approve is null;
        return approve?.Invoke(target, action) ?? false;
    }

    public void WriteObject(object value) => onObject(value);

    public void WriteError(CommandError commandError)
    {
        ErrorCount++;
        ErrorIds.Add(commandError.ErrorId);
        if (onError?.Invoke(commandError) == true) return;
        var tenant = commandError.TargetObject switch
        {
            Tenant t => t.Name,
            TenantRepairResult r => r.TenantName,
            TenantMigrationTestResult r => r.TenantName,
            TenantMigrationScript s => s.TenantName,
            _ => null,
        };
        if (json) console.Json(new { type = "error", tenant, errorId = commandError.ErrorId, message = CliApp.OneLine(commandError.Message) });
        console.Error($"error: {commandError.ErrorId}: {CliApp.OneLine(commandError.Message)}");
    }

    public void WriteProgress(ProgressUpdate progress)
    {
    }

    public void WriteVerbose(string message)
    {
    }

    public void WriteWarning(string message) => console.Error($"warning: {CliApp.OneLine(message)}");
}

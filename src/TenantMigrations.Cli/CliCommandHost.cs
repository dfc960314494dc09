using TenantMigrations.Engine.Commands;

namespace TenantMigrations.Cli;

/// <summary>
/// Runs an engine command (the cmdlets' logic) in the CLI: objects go to <paramref name="onObject"/>, errors and
/// warnings to stderr (and a JSON line in JSON mode), progress and verbose text nowhere. The CLI never prompts:
/// <paramref name="approve"/> answers ShouldProcess, or a missing one declines as a dry run.
/// </summary>
public sealed class CliCommandHost(CliConsole console, bool json, Action<object> onObject, Func<string, string, bool>? approve = null) : ICommandHost
{
    public int ErrorCount { get; private set; }

    public bool ShouldProcess(string target, string action, out bool whatIf)
    {
        whatIf = approve is null;
        return approve?.Invoke(target, action) ?? false;
    }

    public void WriteObject(object value) => onObject(value);

    public void WriteError(CommandError commandError)
    {
        ErrorCount++;
        var tenant = commandError.TargetObject switch
        {
            Tenant t => t.Name,
            TenantRepairResult r => r.TenantName,
            TenantMigrationTestResult r => r.TenantName,
            TenantSchemaCheck c => c.TenantName,
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

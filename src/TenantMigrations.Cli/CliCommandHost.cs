using System.Text.Json.Nodes;
using TenantMigrations.Engine.Commands;

namespace TenantMigrations.Cli;

/// <summary>
/// Runs an engine command (the cmdlets' logic) in the CLI: objects go to <paramref name="onObject"/>, errors,
/// warnings and notices to stderr (errors also as a JSON line in JSON mode), progress to <see cref="Progress"/> and
/// verbose text to <see cref="Verbose"/> when the verb has them. The CLI never prompts:
/// <paramref name="approve"/> answers ShouldProcess, or a missing one declines as a dry run.
/// <paramref name="onError"/> lets a verb print an error its own way (it returns true then); every error still counts.
/// </summary>
public sealed class CliCommandHost(CliConsole console, bool json, Action<object> onObject, Func<string, string, bool>? approve = null, Func<CommandError, bool>? onError = null) : ICommandHost
{
    public int ErrorCount { get; private set; }

    public CliProgress? Progress { get; init; }

    public Action<string>? Verbose { get; init; }

    /// <summary>The ids of the errors written, in order, for verbs whose exit code depends on the kind of error.</summary>
    public List<string> ErrorIds { get; } = [];

    /// <summary>
    /// Runs the command's body off the caller's thread, cancelling the command when the CLI is interrupted. A body that
    /// reports its own cancellation (a migrate's summary) passes <paramref name="throwWhenCancelled"/> false.
    /// </summary>
    public static async Task RunAsync(FleetCommand command, Action body, CancellationToken cancellationToken, bool throwWhenCancelled = true)
    {
        using (cancellationToken.Register(command.Cancel))
        {
            await Task.Run(body, CancellationToken.None).ConfigureAwait(false);
        }
        if (throwWhenCancelled) cancellationToken.ThrowIfCancellationRequested();
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
            TenantSchemaCheck c => c.TenantName,
            _ => null,
        };
        if (json) console.Json(new JsonObject { ["type"] = "error", ["tenant"] = tenant, ["errorId"] = commandError.ErrorId, ["message"] = CliApp.OneLine(commandError.Message) });
        console.Error($"error: {commandError.ErrorId}: {CliApp.OneLine(commandError.Message)}");
    }

    /// <summary>The fleet's figures ride on the parent record; the child records (tenants in flight) are for Write-Progress.</summary>
    public void WriteProgress(ProgressUpdate progress)
    {
        if (progress is { Figures: { } figures, ParentActivityId: < 0 }) Progress?.Show(figures, progress.Completed);
    }

    public void WriteVerbose(string message) => Verbose?.Invoke(message);

    /// <summary>Lines on stderr start in lower case, like "warning:" and "error:".</summary>
    public void WriteInformation(string message) => console.Error(message.Length == 0 ? message : char.ToLowerInvariant(message[0]) + message[1..]);

    public void WriteWarning(string message) => console.Error($"warning: {CliApp.OneLine(message)}");
}

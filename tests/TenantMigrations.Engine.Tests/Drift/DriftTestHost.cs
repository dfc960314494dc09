using TenantMigrations.Engine.Commands;

namespace TenantMigrations.Engine.Tests.Drift;

/// <summary>Collects what a drift command writes.</summary>
public sealed class DriftTestHost : ICommandHost
{
    public List<object> Objects { get; } = [];

    public List<CommandError> Errors { get; } = [];

    public List<string> Verbose { get; } = [];

    public bool ShouldProcess(string target, string action, out bool whatIf)
    {
        whatIf = false;
        return true;
    }

    public void WriteObject(object value) => Objects.Add(value);

    public void WriteError(CommandError commandError) => Errors.Add(commandError);

    public void WriteProgress(ProgressUpdate progress) { }

    public void WriteVerbose(string message) => Verbose.Add(message);

    public void WriteWarning(string message) { }
}

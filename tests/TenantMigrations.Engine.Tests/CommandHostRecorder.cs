using TenantMigrations.Engine.Commands;

namespace TenantMigrations.Engine.Tests;

/// <summary>An ICommandHost that approves (or, as -WhatIf, declines) every change and keeps everything written.</summary>
public sealed class CommandHostRecorder(bool approve = true) : ICommandHost
{
    public List<object> Objects { get; } = [];

    public List<CommandError> Errors { get; } = [];

    public List<string> Warnings { get; } = [];

    public List<string> Verbose { get; } = [];

    public bool ShouldProcess(string target, string action, out bool whatIf)
    {
        whatIf = !approve;
        return approve;
    }

    public void WriteObject(object value) => Objects.Add(value);

    public void WriteError(CommandError commandError) => Errors.Add(commandError);

    public void WriteProgress(ProgressUpdate progress)
    {
    }

    public void WriteVerbose(string message) => Verbose.Add(message);

    public void WriteWarning(string message) => Warnings.Add(message);
}

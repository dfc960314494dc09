using System.Management.Automation;
using TenantMigrations.Engine.Commands;

namespace TenantMigrations.Commands;

/// <summary>Forwards the command logic's output to the cmdlet. Commands call it only on the pipeline thread.</summary>
internal sealed class CmdletHost(PSCmdlet cmdlet) : ICommandHost
{
    /// <summary>ShouldProcess(target, action) with the same texts, plus whether -WhatIf (rather than the user) said no.</summary>
    public bool ShouldProcess(string target, string action, out bool whatIf)
    {
        var description = $"Performing the operation \"{action}\" on target \"{target}\".";
        var approved = cmdlet.ShouldProcess(description, $"Are you sure you want to perform this action?{Environment.NewLine}{description}", "Confirm", out var reason);
        whatIf = reason == ShouldProcessReason.WhatIf;
        return approved;
    }

    public void WriteObject(object value) => cmdlet.WriteObject(value);

    public void WriteError(CommandError commandError) => cmdlet.WriteError(ToErrorRecord(commandError));

    public void WriteProgress(ProgressUpdate progress) => cmdlet.WriteProgress(new ProgressRecord(progress.ActivityId, progress.Activity, progress.StatusDescription)
    {
        PercentComplete = progress.PercentComplete,
        ParentActivityId = progress.ParentActivityId,
        CurrentOperation = progress.CurrentOperation,
        SecondsRemaining = progress.SecondsRemaining,
        RecordType = progress.Completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
    });

    public void WriteVerbose(string message) => cmdlet.WriteVerbose(message);

    public void WriteWarning(string message) => cmdlet.WriteWarning(message);

    public static ErrorRecord ToErrorRecord(CommandError error) =>
        new(error.Exception, error.ErrorId, Enum.TryParse<ErrorCategory>(error.Category, out var category) ? category : ErrorCategory.NotSpecified, error.TargetObject)
        {
            ErrorDetails = new ErrorDetails(error.Message),
        };
}

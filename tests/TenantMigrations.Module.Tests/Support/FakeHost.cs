using TenantMigrations.Engine.Commands;

namespace TenantMigrations.Module.Tests.Support;

/// <summary>Records what a command writes, and checks that it only ever writes on the thread that created the host.</summary>
public sealed class FakeHost : ICommandHost
{
    private readonly int threadId = Environment.CurrentManagedThreadId;

    public Func<string, string, bool> Approve { get; set; } = (_, _) => true;

    /// <summary>Answers every ShouldProcess as -WhatIf does: no, because it is a dry run.</summary>
    public bool WhatIf { get; set; }

    public Action<object>? OnWriteObject { get; set; }

    public List<(string Target, string Action)> Asked { get; } = [];

    public List<object> Objects { get; } = [];

    public List<CommandError> Errors { get; } = [];

    public List<ProgressUpdate> Progress { get; } = [];

    public List<string> Verbose { get; } = [];

    public List<string> Warnings { get; } = [];

    /// <summary>Every call in order, as "Object tenant", "Error id tenant", "Ask target"...</summary>
    public List<string> Calls { get; } = [];

    public int CallsFromOtherThreads { get; private set; }

    public IEnumerable<T> ObjectsOf<T>() => Objects.OfType<T>();

    public bool ShouldProcess(string target, string action, out bool whatIf)
    {
        Check();
        Asked.Add((target, action));
        Calls.Add("Ask " + target);
        whatIf = WhatIf;
        return !WhatIf && Approve(target, action);
    }

    public void WriteObject(object value)
    {
        Check();
        Objects.Add(value);
        Calls.Add("Object " + value);
        OnWriteObject?.Invoke(value);
    }

    public void WriteError(CommandError error)
    {
        Check();
        Errors.Add(error);
        Calls.Add("Error " + error.ErrorId);
    }

    public void WriteProgress(ProgressUpdate progress)
    {
        Check();
        Progress.Add(progress);
    }

    public void WriteVerbose(string message)
    {
        Check();
        Verbose.Add(message);
    }

    public void WriteWarning(string message)
    {
        Check();
        Warnings.Add(message);
    }

    private void Check()
    {
        if (Environment.CurrentManagedThreadId != threadId) CallsFromOtherThreads++;
    }
}

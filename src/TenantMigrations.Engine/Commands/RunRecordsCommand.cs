using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Rollouts.RunRecords;

namespace TenantMigrations.Engine.Commands;

/// <summary>Get-TenantMigrationRun without PowerShell: lists the runs of a store, or reads one.</summary>
public sealed class RunRecordsCommand(IRunStore store)
{
    public const string RunNotFound = "RunNotFound";
    public const string InvalidRunRecord = "InvalidRunRecord";

    public IRunStore Store { get; } = store;

    public const string RunRecordUnwritable = "RunRecordUnwritable";

    /// <summary>Opens a run's record for a command; a record that cannot be read or written ends the call before any tenant runs.</summary>
    public static RunRecording? Open(RunRecordRequest? request, MigrationSet set, IReadOnlyList<Tenant> tenants)
    {
        if (request is null) return null;
        try
        {
            return request.Open(set, tenants);
        }
        catch (InvalidDataException ex)
        {
            throw new CommandTerminatingException(new CommandError(InvalidRunRecord, "InvalidData", ex.Message, request.RunId, ex));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CommandTerminatingException(new CommandError(RunRecordUnwritable, "WriteError", ex.Message, request.RunId, ex));
        }
    }

    public const string RunStoreUnreachable = "RunStoreUnreachable";
    public const string InvalidRunStore = "InvalidRunStore";

    /// <summary>Every run of the store, oldest first; a file that is not a run record is a warning.</summary>
    public void List(ICommandHost host)
    {
        foreach (var run in Read(null, () => Store.ListAsync(host.WriteWarning, CancellationToken.None))) host.WriteObject(run);
    }

    /// <summary>One run; an unknown id ends the call with RunNotFound.</summary>
    public void Get(ICommandHost host, string runId) =>
        host.WriteObject(Read(runId, () => Store.ReadAsync(runId, CancellationToken.None)));

    private static T Read<T>(string? runId, Func<Task<T>> read)
    {
        try
        {
            return read().GetAwaiter().GetResult();
        }
        catch (RunNotFoundException ex)
        {
            throw new CommandTerminatingException(new CommandError(RunNotFound, "ObjectNotFound", ex.Message, runId, ex));
        }
        catch (Rollouts.SharedRuns.SharedRunStoreException ex)
        {
            throw new CommandTerminatingException(new CommandError(RunStoreUnreachable, "ConnectionError", ex.Message, runId, ex));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or System.Text.Json.JsonException)
        {
            throw new CommandTerminatingException(new CommandError(InvalidRunRecord, "ReadError", ex.Message, runId, ex));
        }
    }
}

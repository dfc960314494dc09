using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Rollouts.RunRecords;

namespace TenantMigrations.Engine.Hosting;

/// <summary>Get-TenantMigrationRun without PowerShell: lists the runs of a store, or reads one.</summary>
public sealed class RunRecordsCommand(RunStore store)
{
    public const string RunNotFound = "RunNotFound";
    public const string InvalidRunRecord = "InvalidRunRecord";

    public RunStore Store { get; } = store;

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

    /// <summary>Every run of the store, oldest first; a file that is not a run record is a warning.</summary>
    public void List(ICommandHost host)
    {
        var runs = new List<TenantMigrationRun>();
        foreach (var path in Store.RecordFiles())
        {
            try
            {
                runs.Add(RunRecordReader.Read(path));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or System.Text.Json.JsonException)
            {
                host.WriteWarning($"Skipped {path}: {ex.Message}");
            }
        }
        foreach (var run in runs.OrderBy(r => r.StartedAt).ThenBy(r => r.RunId, StringComparer.Ordinal)) host.WriteObject(run);
    }

    /// <summary>One run; an unknown id ends the call with RunNotFound.</summary>
    public void Get(ICommandHost host, string runId)
    {
        if (!Store.Contains(runId))
        {
            var problem = new RunNotFoundException(runId, Store.Folder);
            throw new CommandTerminatingException(new CommandError(RunNotFound, "ObjectNotFound", problem.Message, runId, problem));
        }
        try
        {
            host.WriteObject(RunRecordReader.Read(Store.PathOf(runId)));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or System.Text.Json.JsonException)
        {
            throw new CommandTerminatingException(new CommandError(InvalidRunRecord, "ReadError", ex.Message, runId, ex));
        }
    }
}

using System.Globalization;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;

namespace TenantMigrations.Engine.Rollouts.RunRecords;

/// <summary>
/// What a host asks of the run record before the tenants are known: a new run, or the resume of one, and whether to
/// write (a dry run only reads, to skip what a resumed run already did).
/// </summary>
public sealed record RunRecordRequest
{
    private RunRecordRequest(RunStore store, string runId, bool resume, bool write, IReadOnlyDictionary<string, string> options)
    {
        Store = store;
        RunId = runId;
        Resume = resume;
        Write = write;
        Options = options;
    }

    public RunStore Store { get; }

    /// <summary>The id the run's journals and record carry; the resumed run's own id on a resume.</summary>
    public string RunId { get; }

    public bool Resume { get; }

    public bool Write { get; }

    /// <summary>The options as given, for the record's header; the host leaves out connection strings.</summary>
    public IReadOnlyDictionary<string, string> Options { get; }

    public static RunRecordRequest NewRun(RunStore store, IReadOnlyDictionary<string, string> options, bool write = true) =>
        new(store, RunStore.NewRunId(DateTimeOffset.UtcNow), resume: false, write, options);

    /// <summary>Resumes a run of the store; an unknown run id is a <see cref="RunNotFoundException"/>.</summary>
    public static RunRecordRequest ResumeRun(RunStore store, string runId, IReadOnlyDictionary<string, string> options, bool write = true)
    {
        if (!RunStore.IsValidRunId(runId)) throw new ArgumentException($"'{runId}' is not a run id: use the id that `tenantmigrations runs` or Get-TenantMigrationRun lists.", nameof(runId));
        if (!store.Contains(runId)) throw new RunNotFoundException(runId, store.Folder);
        return new(store, runId, resume: true, write, options);
    }

    /// <summary>
    /// Opens the record for these tenants: on a resume, the tenants the run already did are set aside (never
    /// connected to) and a changed migrations folder is a warning; when writing, the start or resume line is written.
    /// </summary>
    public RunRecording Open(MigrationSet set, IReadOnlyList<Tenant> tenants)
    {
        var checksum = RunRecording.ChecksumOf(set);
        var toRun = tenants;
        List<Tenant> alreadyDone = [];
        var warnings = new List<string>();
        if (Resume)
        {
            var path = Store.PathOf(RunId);
            var (previous, lastHeader) = RunRecordReader.ReadWithHeader(path);
            var done = previous.Tenants.Where(t => t.Succeeded).Select(t => t.TenantName).ToHashSet(StringComparer.OrdinalIgnoreCase);
            alreadyDone = tenants.Where(t => done.Contains(t.Name)).ToList();
            toRun = tenants.Where(t => !done.Contains(t.Name)).ToList();
            if (!string.Equals(lastHeader.MigrationsChecksum, checksum, StringComparison.Ordinal))
            {
                warnings.Add($"The migrations in {set.Folder} changed since run {RunId} last ran; tenants it already did are still skipped, and each tenant's journal decides what is applied.");
            }
        }
        if (!Write) return new RunRecording(RunId, toRun, alreadyDone, warnings, writer: null);

        RunRecordWriter writer;
        try
        {
            writer = Resume ? RunRecordWriter.Append(Store.PathOf(RunId)) : RunRecordWriter.Create(Store.PathOf(RunId));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"cannot write the run record {Store.PathOf(RunId)}: {ex.Message} Choose a writable folder with --run-store / -RunStore or {RunStore.EnvironmentVariable}.", ex);
        }
        try
        {
            writer.Write(new RunHeaderLine
            {
                Type = Resume ? RunRecordLines.Resume : RunRecordLines.Start,
                RunId = RunId,
                StartedAt = DateTimeOffset.UtcNow,
                ToolVersion = MigrateOptions.ToolVersion,
                MigrationsFolder = set.Folder,
                MigrationsChecksum = checksum,
                Options = Options,
                TenantCount = toRun.Count,
                Tenants = toRun.Select(t => t.Name).ToArray(),
                AlreadyDone = alreadyDone.Count,
                RunBy = $"{Environment.UserName}@{Environment.MachineName} pid {Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}",
            });
        }
        catch
        {
            writer.Dispose();
            throw;
        }
        return new RunRecording(RunId, toRun, alreadyDone, warnings, writer);
    }

    /// <summary>The options every migrate has, in the words of the command line, for the record's header.</summary>
    public static Dictionary<string, string> DescribeOptions(MigrateOptions options)
    {
        var described = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["throttle"] = options.ThrottleLimit.ToString(CultureInfo.InvariantCulture),
            ["lock-timeout"] = Seconds(options.LockTimeout),
            ["ddl-lock-timeout"] = Seconds(options.DdlLockTimeout),
        };
        if (options.Plan.TargetVersion is { } target) described["target"] = target.Text;
        if (options.Plan.AllowOutOfOrder) described["allow-out-of-order"] = "true";
        if (options.Limits.ConnectTimeout is { } connect) described["connect-timeout"] = Seconds(connect);
        if (options.Limits.CommandTimeout is { } command) described["command-timeout"] = Seconds(command);
        return described;
    }

    private static string Seconds(TimeSpan duration) => duration.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
}

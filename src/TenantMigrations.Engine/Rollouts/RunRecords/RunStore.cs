using System.Globalization;
using System.Text.RegularExpressions;

namespace TenantMigrations.Engine.Rollouts.RunRecords;

/// <summary>
/// The folder of run records: one `&lt;run id&gt;.jsonl` file per run. Chosen by --run-store / -RunStore, else the
/// TENANTMIGRATIONS_RUN_STORE environment variable, else a per-user state folder.
/// </summary>
public sealed partial class RunStore : IRunStore
{
    public const string EnvironmentVariable = "TENANTMIGRATIONS_RUN_STORE";

    public const string FileExtension = ".jsonl";

    private RunStore(string folder, bool isDefault)
    {
        Folder = folder;
        IsDefault = isDefault;
    }

    public string Folder { get; }

    /// <summary>Neither a path nor the environment variable chose the folder.</summary>
    public bool IsDefault { get; }

    /// <summary>The store a run uses: the folder given, else the environment variable's, else <see cref="DefaultFolder"/>.</summary>
    public static RunStore Resolve(string? givenFolder, string currentFolder)
    {
        if (!string.IsNullOrWhiteSpace(givenFolder)) return new RunStore(Path.GetFullPath(givenFolder, currentFolder), isDefault: false);
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment)) return new RunStore(Path.GetFullPath(fromEnvironment, currentFolder), isDefault: false);
        return new RunStore(DefaultFolder(), isDefault: true);
    }

    /// <summary>%LOCALAPPDATA%\TenantMigrations\runs on Windows; $XDG_STATE_HOME/tenantmigrations/runs (default ~/.local/state) elsewhere.</summary>
    public static string DefaultFolder()
    {
        if (OperatingSystem.IsWindows())
        {
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "TenantMigrations", "runs");
        }
        var stateHome = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
        if (string.IsNullOrWhiteSpace(stateHome) || !Path.IsPathRooted(stateHome))
        {
            stateHome = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state");
        }
        return Path.Combine(stateHome, "tenantmigrations", "runs");
    }

    /// <summary>A new run id that sorts by start time: 20261122-013000-1a2b3c4d.</summary>
    public static string NewRunId(DateTimeOffset startedAt) =>
        startedAt.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>Run ids become file names, so only letters, digits, '.', '_' and '-' are accepted (no path, no "..").</summary>
    public static bool IsValidRunId(string? runId) => runId is not null && RunIdPattern().IsMatch(runId) && !runId.Contains("..", StringComparison.Ordinal);

    public string PathOf(string runId)
    {
        if (!IsValidRunId(runId)) throw new ArgumentException($"'{runId}' is not a run id: use the id that `tenantmigrations runs` or Get-TenantMigrationRun lists.", nameof(runId));
        return Path.Combine(Folder, runId + FileExtension);
    }

    public bool Contains(string runId) => IsValidRunId(runId) && File.Exists(PathOf(runId));

    /// <summary>The run record files of the store; none when the folder does not exist yet.</summary>
    public IReadOnlyList<string> RecordFiles() =>
        Directory.Exists(Folder) ? Directory.GetFiles(Folder, "*" + FileExtension).Order(StringComparer.Ordinal).ToList() : [];

    public string Location => Folder;

    public Task<bool> ContainsAsync(string runId, CancellationToken cancellationToken) => Task.FromResult(Contains(runId));

    public Task<IReadOnlyList<TenantMigrationRun>> ListAsync(Action<string> warn, CancellationToken cancellationToken)
    {
        var runs = new List<TenantMigrationRun>();
        foreach (var path in RecordFiles())
        {
            try
            {
                runs.Add(RunRecordReader.Read(path));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or System.Text.Json.JsonException)
            {
                warn($"skipped {path}: {ex.Message}");
            }
        }
        return Task.FromResult<IReadOnlyList<TenantMigrationRun>>(runs.OrderBy(r => r.StartedAt).ThenBy(r => r.RunId, StringComparer.Ordinal).ToList());
    }

    public Task<TenantMigrationRun> ReadAsync(string runId, CancellationToken cancellationToken) =>
        Contains(runId) ? Task.FromResult(RunRecordReader.Read(PathOf(runId))) : throw new RunNotFoundException(runId, Folder);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex RunIdPattern();
}

/// <summary>--resume or -Resume named a run the store does not hold.</summary>
public sealed class RunNotFoundException(string runId, string folder)
    : ArgumentException($"run '{runId}' is not in the run store {folder}: list the runs with `tenantmigrations runs` or Get-TenantMigrationRun, or choose the store with --run-store / -RunStore.")
{
    public string RunId { get; } = runId;
}

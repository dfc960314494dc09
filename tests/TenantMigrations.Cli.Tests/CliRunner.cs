using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace TenantMigrations.Cli.Tests;

public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public string All => Stdout + Stderr;

    /// <summary>stdout as JSON lines (every non-empty line must parse).</summary>
    public List<JsonElement> JsonLines() =>
        Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => JsonDocument.Parse(line).RootElement.Clone())
            .ToList();

    public List<JsonElement> Json(string type) => JsonLines().Where(j => j.GetProperty("type").GetString() == type).ToList();

    public JsonElement Result(string tenant) => Json("result").Single(j => j.GetProperty("tenant").GetString() == tenant);

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>
/// Runs the built CLI as a real process: dotnet tenantmigrations.dll ..., or the executable that TM_TEST_CLI names
/// (tests/run.sh sets it to the Native AOT build, so the suite runs once on each).
/// </summary>
public static class CliRunner
{
    private static readonly string? Executable = Environment.GetEnvironmentVariable("TM_TEST_CLI") is { Length: > 0 } path ? Path.GetFullPath(path) : null;

    private static readonly Lazy<string> DllPath = new(FindDll);

    public static async Task<CliResult> RunAsync(string workingDirectory, params string[] args)
    {
        using var process = Start(workingDirectory, args);
        return await WaitAsync(process);
    }

    /// <summary>As <see cref="RunAsync(string, string[])"/>, with extra environment variables for the CLI process.</summary>
    public static async Task<CliResult> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        using var process = Start(workingDirectory, environment, args);
        return await WaitAsync(process);
    }

    public static Process Start(string workingDirectory, params string[] args) => Start(workingDirectory, new Dictionary<string, string?>(), args);

    public static Process Start(string workingDirectory, IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var start = new ProcessStartInfo(Executable ?? "dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        if (Executable is null) start.ArgumentList.Add(DllPath.Value);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        // Run records stay in the test's own folder, not in the user's state folder.
        start.Environment["TENANTMIGRATIONS_RUN_STORE"] = Path.Combine(workingDirectory, ".runs");
        foreach (var (name, value) in environment) start.Environment[name] = value;
        return Process.Start(start)!;
    }

    public static async Task<CliResult> WaitAsync(Process process, Task<string>? stdout = null)
    {
        stdout ??= process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("the CLI did not finish within 60 s.");
        }
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    [DllImport("libc", SetLastError = true, EntryPoint = "kill")]
    private static extern int SysKill(int pid, int signal);

    public static void SendInterrupt(Process process)
    {
        const int SIGINT = 2;
        if (SysKill(process.Id, SIGINT) != 0) throw new InvalidOperationException($"kill failed: {Marshal.GetLastWin32Error()}");
    }

    /// <summary>The CLI's own build output (src/TenantMigrations.Cli/bin/&lt;Configuration&gt;/net10.0), else the copy next to the tests.</summary>
    private static string FindDll()
    {
        var testFolder = AppContext.BaseDirectory;
        var configuration = new DirectoryInfo(testFolder).Parent?.Name ?? "Debug";
        for (var dir = new DirectoryInfo(testFolder); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "TenantMigrations.Cli", "bin", configuration, "net10.0", "tenantmigrations.dll");
            if (File.Exists(candidate)) return candidate;
        }
        var local = Path.Combine(testFolder, "tenantmigrations.dll");
        return File.Exists(local) ? local : throw new FileNotFoundException("tenantmigrations.dll not found; build src/TenantMigrations.Cli first.");
    }
}

/// <summary>Reads a tenant's SQLite file directly.</summary>
public static class SqliteFile
{
    public static List<string> Tables(string path) => Query(path, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name", r => r.GetString(0));

    public static List<(string Version, string State)> Journal(string path) =>
        Tables(path).Contains("tenant_migrations_history")
            ? Query(path, "SELECT version, state FROM tenant_migrations_history ORDER BY installed_rank", r => (r.IsDBNull(0) ? "" : r.GetString(0), r.GetString(1)))
            : [];

    public static void Execute(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static List<T> Query<T>(string path, string sql, Func<SqliteDataReader, T> map)
    {
        Assert.True(File.Exists(path), $"{path} does not exist");
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read()) rows.Add(map(reader));
        return rows;
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace TenantMigrations.TestSupport;

/// <summary>
/// A private PostgreSQL 15 for tests: initdb into a temp folder (as the 'postgres' OS user when running as root,
/// because PostgreSQL refuses root), a free loopback port, removed on dispose.
/// When TM_TEST_PG holds a connection string, that server is used instead: nothing is started, and the databases
/// created through <see cref="CreateDatabaseAsync"/> are dropped on dispose.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    public const string Password = "tm-test-Secr3t!";
    private const string BinFolder = "/usr/lib/postgresql/15/bin";

    private readonly string? dataFolder;
    private readonly string? runAs;
    private readonly string? serverOptions;
    private readonly ConcurrentBag<string> createdDatabases = [];

    private PostgresServer(string adminConnectionString, string? dataFolder, string? runAs, string? serverOptions = null)
    {
        AdminConnectionString = adminConnectionString;
        this.dataFolder = dataFolder;
        this.runAs = runAs;
        this.serverOptions = serverOptions;
    }

    /// <summary>A superuser connection string to the 'postgres' database, with a password.</summary>
    public string AdminConnectionString { get; }

    public static async Task<PostgresServer> StartAsync()
    {
        var external = Environment.GetEnvironmentVariable("TM_TEST_PG");
        if (!string.IsNullOrWhiteSpace(external)) return new PostgresServer(external, null, null);

        var runAs = Environment.UserName == "root" ? "postgres" : null;
        var dataFolder = Path.Combine(Path.GetTempPath(), "tm-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dataFolder);
        var passwordFile = Path.Combine(dataFolder, "pwfile");
        await File.WriteAllTextAsync(passwordFile, Password);
        if (runAs is not null) await RunAsync("chown", $"-R {runAs} {dataFolder}", null);
        var cluster = Path.Combine(dataFolder, "data");
        await RunAsync(Path.Combine(BinFolder, "initdb"), $"-D {cluster} -U postgres --pwfile={passwordFile} -A scram-sha-256 -E UTF8 --no-sync", runAs);
        var port = FreePort();
        var options = $"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={dataFolder} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 -c shared_buffers=128MB";
        var server = new PostgresServer($"Host=127.0.0.1;Port={port};Username=postgres;Password={Password};Database=postgres;Timeout=30;Command Timeout=120", dataFolder, runAs, options);
        await server.StartServerAsync();
        return server;
    }

    private Task StartServerAsync() =>
        RunAsync(Path.Combine(BinFolder, "pg_ctl"), $"-D {Path.Combine(dataFolder!, "data")} -l {Path.Combine(dataFolder!, "log")} -w -t 60 -o \"{serverOptions}\" start", runAs);

    /// <summary>
    /// Restarts the server (fast stop: every session is cut at once), keeps it down for a while, and starts it again on the
    /// same port. Not an immediate stop: with synchronous_commit off, a crash would lose commits already acknowledged.
    /// </summary>
    public async Task RestartAsync(TimeSpan downtime)
    {
        if (dataFolder is null) throw new InvalidOperationException("An external server (TM_TEST_PG) is not restarted by tests.");
        await RunAsync(Path.Combine(BinFolder, "pg_ctl"), $"-D {Path.Combine(dataFolder, "data")} -m fast -w stop", runAs);
        await Task.Delay(downtime);
        await StartServerAsync();
    }

    /// <summary>Whether this fixture started the server itself (and so may restart it).</summary>
    public bool IsPrivate => dataFolder is not null;

    /// <summary>Creates a fresh database and returns a connection string to it.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        await ExecuteAsync($"CREATE DATABASE \"{name}\"");
        createdDatabases.Add(name);
        return ConnectionStringFor(name);
    }

    public string ConnectionStringFor(string database)
    {
        var parts = AdminConnectionString.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Where(p => !p.TrimStart().StartsWith("Database=", StringComparison.OrdinalIgnoreCase));
        return string.Join(';', parts) + $";Database={database}";
    }

    /// <summary>Runs SQL through psql, so this helper needs no driver.</summary>
    public async Task<string> ExecuteAsync(string sql, string database = "postgres")
    {
        var builder = AdminConnectionString.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2)).ToDictionary(p => p[0].Trim().ToLowerInvariant(), p => p[1].Trim());
        var start = new ProcessStartInfo("psql")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var arg in new[] { "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", builder["host"], "-p", builder.GetValueOrDefault("port", "5432"), "-U", builder["username"], "-d", database }) start.ArgumentList.Add(arg);
        start.Environment["PGPASSWORD"] = builder["password"];
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(sql);
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"psql failed: {error}");
        return output.Trim();
    }

    public async ValueTask DisposeAsync()
    {
        if (dataFolder is null)
        {
            await DropCreatedDatabasesAsync();
            return;
        }
        try
        {
            await RunAsync(Path.Combine(BinFolder, "pg_ctl"), $"-D {Path.Combine(dataFolder, "data")} -m immediate -w stop", runAs);
        }
        finally
        {
            try { Directory.Delete(dataFolder, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>On a server the tests do not own, leave nothing behind (FORCE: pooled connections may still be open).</summary>
    private async Task DropCreatedDatabasesAsync()
    {
        foreach (var name in createdDatabases)
        {
            try
            {
                await ExecuteAsync($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
            }
            catch (InvalidOperationException ex)
            {
                Console.Error.WriteLine($"Could not drop test database {name}: {ex.Message}");
            }
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string file, string arguments, string? runAs)
    {
        var start = runAs is null
            ? new ProcessStartInfo(file, arguments)
            : new ProcessStartInfo("runuser", $"-u {runAs} -- {file} {arguments}");
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.WorkingDirectory = "/tmp";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{Path.GetFileName(file)} failed ({process.ExitCode}): {await error} {await output}");
    }
}

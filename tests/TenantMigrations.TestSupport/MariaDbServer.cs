using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace TenantMigrations.TestSupport;

public sealed record MariaDbServerOptions
{
    /// <summary>Generate a CA + server certificate and start the server with TLS.</summary>
    public bool EnableTls { get; init; } = true;

    public int MaxAllowedPacketMegabytes { get; init; } = 64;

    public int MaxConnections { get; init; } = 500;

    public TimeSpan StartupTimeout { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>
/// A private, throw-away MariaDB server for tests: temp data dir, loopback port, random passwords.
/// Set TM_TEST_MYSQL to a connection string to use an existing server instead (nothing is started or stopped then, and
/// the databases created through <see cref="CreateDatabaseAsync"/> are dropped on dispose).
/// Only BCL plus the mariadb binaries on PATH, so any test project can reuse it.
/// </summary>
public sealed class MariaDbServer : IAsyncDisposable
{
    public const string ExternalServerVariable = "TM_TEST_MYSQL";
    const string TestUser = "tm_test";

    Process? _process;
    ProcessStartInfo? _startInfo;
    string? _errorLog;
    readonly string? _tempDirectory;
    readonly string? _socketPath;
    readonly string _testPassword;
    readonly ConcurrentDictionary<string, bool> _createdDatabases = new(StringComparer.Ordinal);

    MariaDbServer(string host, int port, string adminUser, string adminPassword, string testUser, string testPassword,
        string? caCertificatePath, Process? process, string? tempDirectory, string? socketPath)
    {
        Host = host;
        Port = port;
        AdminUser = adminUser;
        AdminPassword = adminPassword;
        User = testUser;
        _testPassword = testPassword;
        CaCertificatePath = caCertificatePath;
        _process = process;
        _tempDirectory = tempDirectory;
        _socketPath = socketPath;
    }

    public string Host { get; }
    public int Port { get; }
    public string AdminUser { get; }
    public string AdminPassword { get; }
    /// <summary>The non-root test user (mysql_native_password, all privileges).</summary>
    public string User { get; }
    public string Password => _testPassword;
    /// <summary>PEM file of the CA that signed the server certificate; null when TLS is not set up by the fixture.</summary>
    public string? CaCertificatePath { get; }
    public bool IsExternal => _process is null;

    public string ConnectionString => ConnectionStringFor(null);

    public string ConnectionStringFor(string? database)
    {
        var builder = new DbConnectionStringBuilder
        {
            ["Server"] = Host,
            ["Port"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["User ID"] = User,
            ["Password"] = _testPassword,
        };
        if (!string.IsNullOrEmpty(database)) builder["Database"] = database;
        return builder.ConnectionString;
    }

    public string AdminConnectionString
    {
        get
        {
            var builder = new DbConnectionStringBuilder
            {
                ["Server"] = Host,
                ["Port"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["User ID"] = AdminUser,
                ["Password"] = AdminPassword,
            };
            return builder.ConnectionString;
        }
    }

    public async Task CreateDatabaseAsync(string name)
    {
        if (name.Contains('`')) throw new ArgumentException("Database name must not contain a backtick.", nameof(name));
        await ExecuteSqlAsync($"CREATE DATABASE IF NOT EXISTS `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci");
        _createdDatabases[name] = true;
    }

    public async Task DropDatabaseAsync(string name)
    {
        if (name.Contains('`')) throw new ArgumentException("Database name must not contain a backtick.", nameof(name));
        await ExecuteSqlAsync($"DROP DATABASE IF EXISTS `{name}`");
        _createdDatabases.TryRemove(name, out _);
    }

    /// <summary>Runs SQL as the admin user through the mariadb CLI.</summary>
    public Task ExecuteSqlAsync(string sql) =>
        _socketPath is not null
            ? RunCliAsync(["-S", _socketPath, "-u", AdminUser], AdminPassword, sql)
            : RunCliAsync(["-h", Host, "-P", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--protocol=TCP", "-u", AdminUser], AdminPassword, sql);

    public static async Task<MariaDbServer> StartAsync(MariaDbServerOptions? options = null)
    {
        options ??= new MariaDbServerOptions();
        var external = Environment.GetEnvironmentVariable(ExternalServerVariable);
        if (!string.IsNullOrWhiteSpace(external)) return FromConnectionString(external);

        var tempDirectory = Path.Combine(Path.GetTempPath(), "tm-mariadb-" + Guid.NewGuid().ToString("N")[..12]);
        var dataDirectory = Path.Combine(tempDirectory, "data");
        Directory.CreateDirectory(dataDirectory);
        Process? process = null;
        try
        {
            var user = Environment.UserName;
            await RunToolAsync("mariadb-install-db",
                ["--no-defaults", $"--datadir={dataDirectory}", $"--tmpdir={tempDirectory}", "--auth-root-authentication-method=normal", "--skip-test-db",
                 "--skip-name-resolve", $"--user={user}"], environment: null, standardInput: null, TimeSpan.FromMinutes(2));

            string? caPath = null;
            var tlsArguments = new List<string>();
            if (options.EnableTls)
            {
                var certificates = TestCertificates.WriteServerCertificates(tempDirectory);
                caPath = certificates.CaCertificatePath;
                tlsArguments.Add($"--ssl-ca={certificates.CaCertificatePath}");
                tlsArguments.Add($"--ssl-cert={certificates.ServerCertificatePath}");
                tlsArguments.Add($"--ssl-key={certificates.ServerKeyPath}");
            }

            var socketPath = Path.Combine(tempDirectory, "mysqld.sock");
            var errorLog = Path.Combine(tempDirectory, "error.log");
            var port = 0;
            // Another process can grab the port between probing and mariadbd binding it (parallel test assemblies): retry.
            for (var attempt = 1; ; attempt++)
            {
                port = FindFreeLoopbackPort();
                var startInfo = new ProcessStartInfo("mariadbd") { UseShellExecute = false };
                foreach (var argument in new[]
                         {
                             "--no-defaults", $"--user={user}", $"--datadir={dataDirectory}", $"--tmpdir={tempDirectory}", $"--port={port}", "--bind-address=127.0.0.1",
                             $"--socket={socketPath}", $"--pid-file={Path.Combine(tempDirectory, "mysqld.pid")}",
                             $"--log-error={errorLog}", "--skip-name-resolve", "--skip-log-bin",
                             "--innodb-buffer-pool-size=64M", $"--max-connections={options.MaxConnections}",
                             $"--max-allowed-packet={options.MaxAllowedPacketMegabytes}M", "--innodb-flush-log-at-trx-commit=0",
                             "--character-set-server=utf8mb4", "--collation-server=utf8mb4_general_ci",
                         }.Concat(tlsArguments))
                    startInfo.ArgumentList.Add(argument);
                process = Process.Start(startInfo) ?? throw new InvalidOperationException("mariadbd did not start.");
                try
                {
                    await WaitUntilReadyAsync(process, port, socketPath, options.StartupTimeout, errorLog);
                    break;
                }
                catch (InvalidOperationException) when (attempt < 3)
                {
                    KillQuietly(process);
                    process.Dispose();
                    process = null;
                }
            }

            var adminPassword = RandomPassword();
            var testPassword = RandomPassword();
            var setup = $"""
                CREATE OR REPLACE USER 'root'@'127.0.0.1' IDENTIFIED VIA mysql_native_password USING PASSWORD('{adminPassword}');
                GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
                CREATE OR REPLACE USER '{TestUser}'@'%' IDENTIFIED VIA mysql_native_password USING PASSWORD('{testPassword}');
                GRANT ALL PRIVILEGES ON *.* TO '{TestUser}'@'%' WITH GRANT OPTION;
                ALTER USER 'root'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD('{adminPassword}');
                FLUSH PRIVILEGES;
                """;
            await RunCliAsync(["-S", socketPath, "-u", "root"], password: null, setup);

            return new MariaDbServer("127.0.0.1", port, "root", adminPassword, TestUser, testPassword, caPath, process, tempDirectory, socketPath)
            {
                _startInfo = process!.StartInfo,
                _errorLog = errorLog,
            };
        }
        catch
        {
            KillQuietly(process);
            DeleteQuietly(tempDirectory);
            throw;
        }
    }

    static MariaDbServer FromConnectionString(string connectionString)
    {
        var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
        string Get(string fallback, params string[] keys)
        {
            foreach (var key in keys)
                if (builder.TryGetValue(key, out var value) && value is not null && value.ToString() is { Length: > 0 } text)
                    return text;
            return fallback;
        }

        var host = Get("127.0.0.1", "Server", "Host", "Data Source");
        var port = int.Parse(Get("3306", "Port"), System.Globalization.CultureInfo.InvariantCulture);
        var user = Get("root", "User ID", "Uid", "User", "Username");
        var password = Get("", "Password", "Pwd");
        var ca = Get("", "SslCa", "SslCA");
        return new MariaDbServer(host, port, user, password, user, password, ca.Length == 0 ? null : ca, null, null, null);
    }

    /// <summary>
    /// Shuts the server down (every session is cut), keeps it down for a while, and starts it again on the same port. Not a
    /// kill: the fixture runs with innodb_flush_log_at_trx_commit=0, so a crash would lose commits already acknowledged.
    /// </summary>
    public async Task RestartAsync(TimeSpan downtime)
    {
        if (_process is null || _startInfo is null) throw new InvalidOperationException("An external server (TM_TEST_MYSQL) is not restarted by tests.");
        await RunToolAsync("mariadb-admin", ["--no-defaults", "-S", _socketPath!, "-u", AdminUser, "shutdown"],
            new Dictionary<string, string> { ["MYSQL_PWD"] = AdminPassword }, null, TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        _process.Dispose();
        if (File.Exists(_socketPath)) File.Delete(_socketPath!);
        await Task.Delay(downtime);
        var restarted = new ProcessStartInfo(_startInfo.FileName) { UseShellExecute = false };
        foreach (var argument in _startInfo.ArgumentList) restarted.ArgumentList.Add(argument);
        _process = Process.Start(restarted) ?? throw new InvalidOperationException("mariadbd did not restart.");
        await WaitUntilReadyAsync(_process, Port, _socketPath!, TimeSpan.FromSeconds(60), _errorLog!);
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is null)
        {
            await DropCreatedDatabasesAsync();
            return;
        }
        if (_socketPath is not null && !_process.HasExited)
        {
            try
            {
                await RunToolAsync("mariadb-admin", ["--no-defaults", "-S", _socketPath, "-u", AdminUser, "shutdown"],
                    new Dictionary<string, string> { ["MYSQL_PWD"] = AdminPassword }, null, TimeSpan.FromSeconds(15));
                await _process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(15)).Token);
            }
            catch (Exception)
            {
                // Falls through to the kill below: a stuck shutdown must not hang the test run.
            }
        }
        KillQuietly(_process);
        _process.Dispose();
        DeleteQuietly(_tempDirectory);
    }

    /// <summary>On a server the tests do not own, leave nothing behind.</summary>
    async Task DropCreatedDatabasesAsync()
    {
        foreach (var name in _createdDatabases.Keys)
        {
            try
            {
                await DropDatabaseAsync(name);
            }
            catch (Exception ex) when (ex is InvalidOperationException or IOException or TimeoutException)
            {
                Console.Error.WriteLine($"Could not drop test database {name}: {ex.Message}");
            }
        }
    }

    /// <summary>Ready = our process is alive, created its unix socket (which happens after the TCP bind) and accepts TCP.</summary>
    static async Task WaitUntilReadyAsync(Process process, int port, string socketPath, TimeSpan timeout, string errorLog)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"mariadbd exited with code {process.ExitCode}: {ReadQuietly(errorLog)}");
            if (File.Exists(socketPath))
            {
                using var client = new TcpClient();
                try
                {
                    await client.ConnectAsync(IPAddress.Loopback, port);
                    if (!process.HasExited) return;
                }
                catch (SocketException)
                {
                }
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"mariadbd did not accept connections on port {port} within {timeout}: {ReadQuietly(errorLog)}");
    }

    static Task RunCliAsync(IEnumerable<string> connectionArguments, string? password, string sql)
    {
        var environment = password is null ? null : new Dictionary<string, string> { ["MYSQL_PWD"] = password };
        return RunToolAsync("mariadb", new[] { "--no-defaults" }.Concat(connectionArguments).Concat(["--batch"]), environment, sql, TimeSpan.FromMinutes(1));
    }

    static async Task RunToolAsync(string fileName, IEnumerable<string> arguments, IDictionary<string, string>? environment, string? standardInput, TimeSpan timeout)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = standardInput is not null,
        };
        foreach (var argument in arguments) startInfo.ArgumentList.Add(argument);
        if (environment is not null)
            foreach (var (key, value) in environment) startInfo.Environment[key] = value;

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"{fileName} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput);
            process.StandardInput.Close();
        }
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            KillQuietly(process);
            throw new TimeoutException($"{fileName} did not finish within {timeout}.");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{fileName} failed with exit code {process.ExitCode}: {await error}{await output}");
    }

    static int FindFreeLoopbackPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    static string RandomPassword() => "Pw" + Convert.ToHexString(RandomNumberGenerator.GetBytes(12));

    static string ReadQuietly(string path)
    {
        try { return File.Exists(path) ? File.ReadAllText(path) : ""; }
        catch (IOException) { return ""; }
    }

    static void KillQuietly(Process? process)
    {
        try
        {
            if (process is { HasExited: false })
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException) { }
        catch (System.ComponentModel.Win32Exception) { }
    }

    static void DeleteQuietly(string? directory)
    {
        try
        {
            if (directory is not null && Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}

/// <summary>Self-signed CA plus a server certificate for 127.0.0.1/localhost, written as PEM files.</summary>
public static class TestCertificates
{
    public sealed record Files(string CaCertificatePath, string ServerCertificatePath, string ServerKeyPath);

    public static Files WriteServerCertificates(string directory)
    {
        using var caKey = RSA.Create(2048);
        using var ca = CreateCertificateAuthority(caKey, "TenantMigrations Test CA");

        using var serverKey = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var server = request.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), serial);

        var files = new Files(Path.Combine(directory, "ca.pem"), Path.Combine(directory, "server-cert.pem"), Path.Combine(directory, "server-key.pem"));
        File.WriteAllText(files.CaCertificatePath, ca.ExportCertificatePem() + "\n");
        File.WriteAllText(files.ServerCertificatePath, server.ExportCertificatePem() + "\n");
        File.WriteAllText(files.ServerKeyPath, serverKey.ExportRSAPrivateKeyPem() + "\n");
        return files;
    }

    /// <summary>Writes an unrelated CA certificate (PEM) — handy to prove that CA verification really rejects.</summary>
    public static string WriteUnrelatedCaCertificate(string path)
    {
        using var key = RSA.Create(2048);
        using var ca = CreateCertificateAuthority(key, "Unrelated Test CA");
        File.WriteAllText(path, ca.ExportCertificatePem() + "\n", Encoding.ASCII);
        return path;
    }

    static X509Certificate2 CreateCertificateAuthority(RSA key, string name)
    {
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(365));
    }
}

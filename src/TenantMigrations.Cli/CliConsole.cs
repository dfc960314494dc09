using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TenantMigrations.Cli;

/// <summary>
/// Thread-safe output: engine workers post events concurrently, so every line is written under one lock.
/// Every line is scrubbed of the passwords the CLI knows about (from --pg and the tenants' connection strings)
/// and of any "password=..." assignment, whatever the mode.
/// </summary>
public sealed class CliConsole(TextWriter stdout, TextWriter stderr)
{
    /// <summary>Only the writer's settings: the lines are JsonObjects, so nothing is serialized by reflection.</summary>
    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly object gate = new();
    private readonly HashSet<string> secrets = new(StringComparer.Ordinal);

    /// <summary>The connection strings already read for secrets: a fleet of schemas shares one.</summary>
    private readonly HashSet<string> readConnectionStrings = new(StringComparer.Ordinal);

    /// <summary>The terminal status line now shown at the bottom of stderr, if any.</summary>
    private string? statusLine;

    public static CliConsole ForProcess() => new(Console.Out, Console.Error);

    /// <summary>Remembers the passwords a connection string holds, so they are masked wherever they appear.</summary>
    public void AddSecretsOf(string? connectionString)
    {
        if (connectionString is null) return;
        lock (gate)
        {
            if (!readConnectionStrings.Add(connectionString)) return;
        }
        foreach (var secret in ConnectionStringRedactor.SecretsOf(connectionString))
        {
            lock (gate)
            {
                secrets.Add(secret);
                // The same secret as it appears inside a JSON string.
                secrets.Add(JsonEncodedText.Encode(secret, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).ToString());
            }
        }
    }

    public string Redact(string? text)
    {
        lock (gate) return ConnectionStringRedactor.RedactText(text, secrets);
    }

    public void Out(string line = "")
    {
        lock (gate) AroundStatus(() => stdout.WriteLine(ConnectionStringRedactor.RedactText(line, secrets)));
    }

    public void Error(string line)
    {
        lock (gate) AroundStatus(() => stderr.WriteLine(ConnectionStringRedactor.RedactText(line, secrets)));
    }

    /// <summary>One JSON object on one line of stderr, for what is not the command's output (progress).</summary>
    public void ErrorJson(JsonObject value) => Error(value.ToJsonString(JsonOptions));

    /// <summary>
    /// A status line at the bottom of a terminal's stderr, redrawn in place: every other line clears it first and
    /// draws it again after itself, so results and status never mix. Null clears it for good.
    /// </summary>
    public void Status(string? line)
    {
        lock (gate)
        {
            ClearStatus();
            statusLine = line is null ? null : ConnectionStringRedactor.RedactText(line, secrets);
            DrawStatus();
        }
    }

    private void AroundStatus(Action write)
    {
        ClearStatus();
        write();
        DrawStatus();
    }

    private void ClearStatus()
    {
        if (statusLine is null) return;
        stderr.Write("\r\u001b[K");
        stderr.Flush();
    }

    private void DrawStatus()
    {
        if (statusLine is null) return;
        stdout.Flush();
        stderr.Write(statusLine);
        stderr.Flush();
    }

    /// <summary>One JSON object on one line of stdout.</summary>
    public void Json(JsonObject value) => Out(value.ToJsonString(JsonOptions));

    /// <summary>Scrubs a message that may quote the command line (parse errors) before any secret is registered.</summary>
    public static string RedactArguments(string message, IEnumerable<string> args) =>
        ConnectionStringRedactor.RedactText(message, args.SelectMany(a => a.Contains('=') ? ConnectionStringRedactor.SecretsOf(a) : []));
}

using System.Diagnostics;
using System.Text.Json.Nodes;
using TenantMigrations.Engine.Commands;

namespace TenantMigrations.Cli;

/// <summary>
/// Fleet progress on stderr, drawn from the figures of the engine command's Write-Progress records: a status line
/// redrawn in place when stderr is a terminal, "progress" JSON lines with --json (at most one a second, and one at the
/// end), nothing with --quiet or when stderr goes to a file.
/// </summary>
public sealed class CliProgress(CliConsole console, CliProgress.Style style)
{
    public enum Style
    {
        Off,
        Terminal,
        Json,
    }

    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private long lastShown;

    public static Style StyleFor(bool quiet, bool json, bool stderrIsTerminal) =>
        quiet ? Style.Off : json ? Style.Json : stderrIsTerminal ? Style.Terminal : Style.Off;

    /// <summary>Shows the figures; <paramref name="final"/> ones are always shown (JSON) or take the status line away (terminal).</summary>
    public void Show(FleetProgressFigures figures, bool final)
    {
        if (style == Style.Off) return;
        if (final && style == Style.Terminal)
        {
            console.Status(null);
            return;
        }
        if (!final && lastShown != 0 && Stopwatch.GetElapsedTime(lastShown) < Interval) return;
        lastShown = Stopwatch.GetTimestamp();
        if (style == Style.Terminal)
        {
            console.Status($"{figures}, {FleetProgressFigures.Describe(figures.Elapsed)} elapsed");
            return;
        }
        console.ErrorJson(new JsonObject
        {
            ["type"] = "progress",
            ["done"] = figures.Done,
            ["total"] = figures.Total,
            ["failed"] = figures.Failed,
            ["inFlight"] = figures.InFlight,
            ["wave"] = figures.Wave,
            ["elapsedMs"] = (long)figures.Elapsed.TotalMilliseconds,
            ["remainingMs"] = figures.Remaining is { } left ? (long?)left.TotalMilliseconds : null,
            ["final"] = final,
        });
    }
}

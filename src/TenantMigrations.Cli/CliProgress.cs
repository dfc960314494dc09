using System.Diagnostics;
using TenantMigrations.Engine.Commands;

namespace TenantMigrations.Cli;

/// <summary>
/// Fleet progress on stderr while migrate runs, from the same <see cref="FleetProgressCounter"/> as Write-Progress:
/// a status line redrawn in place when stderr is a terminal, "progress" JSON lines with --json (at most one a second,
/// and one at the end), nothing with --quiet or when stderr goes to a file. Called concurrently by the engine's workers.
/// </summary>
public sealed class CliProgress
{
    public enum Style
    {
        Off,
        Terminal,
        Json,
    }

    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly CliConsole console;
    private readonly Style style;
    private readonly FleetProgressCounter counter;
    private readonly object gate = new();
    private long lastShown;

    public CliProgress(CliConsole console, Style style, int total)
    {
        this.console = console;
        this.style = style;
        counter = new FleetProgressCounter(total);
    }

    public static Style StyleFor(bool quiet, bool json, bool stderrIsTerminal) =>
        quiet ? Style.Off : json ? Style.Json : stderrIsTerminal ? Style.Terminal : Style.Off;

    public void Started(string tenantName)
    {
        counter.Started(tenantName);
        Show(final: false);
    }

    public void Finished(string tenantName, bool succeeded)
    {
        counter.Finished(tenantName, succeeded);
        Show(final: false);
    }

    public void WaveStarted(string name)
    {
        counter.WaveStarted(name);
        Show(final: false);
    }

    /// <summary>The last figures (JSON), or the status line taken away (terminal) before the summary is printed.</summary>
    public void Complete()
    {
        if (style == Style.Terminal) console.Status(null);
        else Show(final: true);
    }

    private void Show(bool final)
    {
        if (style == Style.Off) return;
        lock (gate)
        {
            if (!final && lastShown != 0 && Stopwatch.GetElapsedTime(lastShown) < Interval) return;
            lastShown = Stopwatch.GetTimestamp();
        }
        var figures = counter.Figures;
        if (style == Style.Terminal)
        {
            console.Status($"{figures}, {FleetProgressFigures.Describe(figures.Elapsed)} elapsed");
            return;
        }
        console.ErrorJson(new
        {
            type = "progress",
            done = figures.Done,
            total = figures.Total,
            failed = figures.Failed,
            inFlight = figures.InFlight,
            wave = figures.Wave,
            elapsedMs = (long)figures.Elapsed.TotalMilliseconds,
            remainingMs = figures.Remaining is { } left ? (long?)left.TotalMilliseconds : null,
            final,
        });
    }
}

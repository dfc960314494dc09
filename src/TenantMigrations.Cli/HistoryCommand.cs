using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using TenantMigrations.Engine.Commands;

namespace TenantMigrations.Cli;

/// <summary>tenantmigrations history: each tenant's journal rows (Get-TenantMigrationHistory), filtered, read-only.</summary>
public static class HistoryCommand
{
    public static Command Create(FleetOptions options)
    {
        var tenant = new Option<string[]>("--tenant") { Description = "Only this tenant (exact name). Repeatable.", HelpName = "name" };
        var version = new Option<string?>("--version") { Description = "Only the rows of this version.", HelpName = "version" };
        var state = new Option<string?>("--state") { Description = "Only rows in this state: succeeded, failed or running.", HelpName = "state" };
        var run = new Option<string?>("--run") { Description = "Only the rows written by this run.", HelpName = "run-id" };
        var since = new Option<string?>("--since") { Description = "Only rows started at or after this time (ISO 8601; UTC unless it names an offset).", HelpName = "date" };
        var command = new Command("history", "Show each tenant's journal: version, description, kind, state, applied at and by, run id, duration, error.");
        options.AddSourcesTo(command);
        foreach (var option in new Option[] { options.Migrations, options.Json, tenant, version, state, run, since })
        {
            command.Options.Add(option);
        }
        options.AddLimitsTo(command);
        command.Subcommands.Add(HistoryExportVerb.Create(new FleetOptions()));
        command.SetAction((parseResult, cancellationToken) => CliApp.RunAsync(options.IsJson(parseResult), async console =>
        {
            var json = options.IsJson(parseResult);
            var filter = new HistoryFilter(
                parseResult.GetValue(version) is { } v ? MigrateCommand.ParseVersion("--version", v).ToString() : null,
                ParseState(parseResult.GetValue(state)),
                parseResult.GetValue(run),
                ParseSince(parseResult.GetValue(since)));
            var set = options.LoadMigrations(parseResult);
            var tenants = await options.SelectTenantsAsync(parseResult, set, console, cancellationToken);
            var names = parseResult.GetValue(tenant) ?? [];
            foreach (var name in names.Where(n => !tenants.Any(t => string.Equals(t.Name, n, StringComparison.OrdinalIgnoreCase))))
            {
                throw new UsageException($"--tenant '{name}' is not among the selected tenants.");
            }
            var rows = new List<TenantMigrationHistoryEntry>();
            var host = new CliCommandHost(console, json, value =>
            {
                if (value is not TenantMigrationHistoryEntry row) return;
                rows.Add(row);
                if (json) console.Json(ToJson(row));
            });
            using var history = new MigrationHistoryCommand(set, filter, options.Limits(parseResult));
            foreach (var selected in tenants.Where(t => names.Length == 0 || names.Contains(t.Name, StringComparer.OrdinalIgnoreCase))) history.Add(selected, host);
            await CliCommandHost.RunAsync(history, () => history.Run(host), cancellationToken);
            if (json) console.Json(new JsonObject { ["type"] = "summary", ["rows"] = rows.Count, ["tenants"] = rows.Select(r => r.TenantName).Distinct().Count(), ["errors"] = host.ErrorCount });
            else WriteTable(console, rows);
            return host.ErrorCount == 0 ? ExitCodes.Success : ExitCodes.TenantsFailed;
        }));
        return command;
    }

    private static JournalState? ParseState(string? text) =>
        text is null ? null
        : Enum.TryParse<JournalState>(text, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) ? parsed
        : throw new UsageException($"--state '{text}' is not a journal state: use succeeded, failed or running.");

    private static DateTime? ParseSince(string? text) =>
        text is null ? null
        : DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed) ? parsed
        : throw new UsageException($"--since '{text}' is not a date: use ISO 8601, e.g. 2026-11-22 or 2026-11-22T10:00:00Z.");

    private static JsonObject ToJson(TenantMigrationHistoryEntry row) => new()
    {
        ["type"] = "history",
        ["tenant"] = row.TenantName,
        ["engine"] = row.Engine.ToString(),
        ["installedRank"] = row.InstalledRank,
        ["version"] = row.Version,
        ["description"] = row.Description,
        ["kind"] = row.Kind.ToString(),
        ["state"] = row.State.ToString(),
        ["appliedAt"] = row.AppliedAt,
        ["appliedBy"] = row.AppliedBy,
        ["runId"] = row.RunId,
        ["durationMs"] = row.Duration?.TotalMilliseconds,
        ["error"] = row.Error is null ? null : CliApp.OneLine(row.Error),
        ["scriptName"] = row.ScriptName,
    };

    private static readonly string[] Header = ["TENANT", "VERSION", "DESCRIPTION", "KIND", "STATE", "APPLIED AT", "DURATION", "RUN", "APPLIED BY", "ERROR"];

    private static void WriteTable(CliConsole console, List<TenantMigrationHistoryEntry> rows)
    {
        var lines = new List<string[]> { Header };
        lines.AddRange(rows.Select(r => new[]
        {
            r.TenantName,
            r.Version ?? "-",
            r.Description,
            r.Kind.ToString(),
            r.State.ToString(),
            r.AppliedAt.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            r.Duration is { } d ? CliApp.Seconds(d) : "-",
            r.RunId ?? "-",
            r.AppliedBy ?? "-",
            CliApp.OneLine(r.Error),
        }));
        var last = Header.Length - 1;
        var widths = Enumerable.Range(0, last).Select(i => lines.Max(l => l[i].Length)).ToArray();
        foreach (var line in lines)
        {
            console.Out((string.Join("  ", line.Take(last).Select((cell, i) => cell.PadRight(widths[i]))) + "  " + line[last]).TrimEnd());
        }
        console.Out();
        console.Out($"{rows.Count} journal rows from {rows.Select(r => r.TenantName).Distinct().Count()} tenants");
    }
}

using System.CommandLine;
using System.Text.Json.Nodes;
using TenantMigrations.Engine.Commands;

namespace TenantMigrations.Cli;

/// <summary>tenantmigrations history export: Export-TenantMigrationHistory, one tenant's applied scripts as a migrations folder.</summary>
public static class HistoryExportVerb
{
    public static Command Create(FleetOptions options)
    {
        var output = new Option<string>("--output", "-o") { Description = "The folder to write (created when missing; must be empty unless --force).", HelpName = "dir", Required = true };
        var force = new Option<bool>("--force") { Description = "Write into a folder that is not empty: replace its migration files and remove its other .sql files." };
        var command = new Command("export", "Write one tenant's applied scripts, as its journal recorded them, as a migrations folder that rebuilds the same schema elsewhere. Pick the tenant with --name.");
        options.AddSourcesTo(command);
        foreach (var option in new Option[] { options.Migrations, options.Json, output, force })
        {
            command.Options.Add(option);
        }
        options.AddLimitsTo(command);
        command.SetAction((parseResult, cancellationToken) => CliApp.RunAsync(options.IsJson(parseResult), async console =>
        {
            var json = options.IsJson(parseResult);
            var set = HistorySettings.Load(options, parseResult);
            var tenants = await options.SelectTenantsAsync(parseResult, set, console, cancellationToken);
            if (tenants.Count > 1)
            {
                throw new UsageException($"history export writes one tenant's history, but {tenants.Count} tenants are selected ({string.Join(", ", tenants.Take(5).Select(t => t.Name))}{(tenants.Count > 5 ? ", ..." : "")}): pick one with --name.");
            }
            var folder = Path.GetFullPath(parseResult.GetValue(output)!);
            var host = new CliCommandHost(console, json, value =>
            {
                if (value is TenantHistoryExport export) Write(console, json, export);
            });
            using var exporter = new HistoryExportCommand(set, folder, parseResult.GetValue(force), options.Limits(parseResult));
            exporter.Add(tenants[0], host);
            try
            {
                using (cancellationToken.Register(exporter.Cancel))
                {
                    await Task.Run(() => exporter.Run(host), CancellationToken.None);
                }
            }
            catch (CommandTerminatingException ex)
            {
                return HistorySettings.Report(console, json, ex);
            }
            cancellationToken.ThrowIfCancellationRequested();
            return host.ErrorCount == 0 ? ExitCodes.Success : ExitCodes.TenantsFailed;
        }));
        return command;
    }

    private static void Write(CliConsole console, bool json, TenantHistoryExport export)
    {
        if (json)
        {
            console.Json(new JsonObject
            {
                ["type"] = "historyExport",
                ["tenant"] = export.TenantName,
                ["engine"] = export.Engine.ToString(),
                ["outputPath"] = export.OutputPath,
                ["currentVersion"] = export.CurrentVersion,
                ["versions"] = JsonLines.Strings(export.Versions),
                ["repeatables"] = JsonLines.Strings(export.Repeatables),
                ["files"] = JsonLines.Strings(export.Files),
                ["skipped"] = JsonLines.Strings(export.Skipped),
            });
            return;
        }
        foreach (var file in export.Files) console.Out($"  {file}");
        console.Out($"{export.TenantName}: wrote {export.Versions.Length} version(s) up to {export.CurrentVersion ?? "-"} and {export.Repeatables.Length} repeatable(s) to {export.OutputPath}");
    }
}

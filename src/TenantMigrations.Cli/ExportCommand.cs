using System.CommandLine;
using System.Text.Json.Nodes;
using TenantMigrations.Engine.Commands;

namespace TenantMigrations.Cli;

/// <summary>tenantmigrations export: Export-TenantMigrationSql's logic, the exact SQL a migrate would run for each tenant, placeholders resolved.</summary>
public static class ExportCommand
{
    public static Command Create(FleetOptions options)
    {
        var output = new Option<string?>("--output", "-o") { Description = "Write one <tenant>.sql per tenant into this folder (default: stdout).", HelpName = "dir" };
        var force = new Option<bool>("--force") { Description = "Overwrite <tenant>.sql files that already exist in --output." };
        var command = new Command("export", "Write the SQL each tenant would run (migrations and journal inserts) to a folder or stdout.");
        options.AddTo(command);
        options.AddLimitsTo(command);
        command.Options.Add(output);
        command.Options.Add(force);
        command.SetAction((parseResult, cancellationToken) => CliApp.RunAsync(options.IsJson(parseResult), async console =>
        {
            var json = options.IsJson(parseResult);
            var set = options.LoadMigrations(parseResult);
            var tenants = await options.SelectTenantsAsync(parseResult, set, console, cancellationToken);
            var folder = parseResult.GetValue(output) is { } given ? Path.GetFullPath(given) : null;
            var host = new CliCommandHost(console, json, value =>
            {
                if (value is TenantMigrationScript script) Write(console, json, script);
            }, onError: error => error.TargetObject is TenantMigrationScript);
            using var export = new ScriptExportCommand(set, options.PlanOptions(parseResult), parseResult.GetValue(options.Throttle), folder, parseResult.GetValue(force), limits: options.Limits(parseResult));
            foreach (var tenant in tenants) export.Add(tenant, host);
            await CliCommandHost.RunAsync(export, () => export.Run(host), cancellationToken);
            if (host.ErrorIds.Contains(CommandErrorIds.MigrationFileExists)) return ExitCodes.InvalidInput;
            return host.ErrorCount == 0 ? ExitCodes.Success : ExitCodes.TenantsFailed;
        }));
        return command;
    }

    private static void Write(CliConsole console, bool json, TenantMigrationScript script)
    {
        if (json)
        {
            console.Json(new JsonObject
            {
                ["type"] = "export",
                ["tenant"] = script.TenantName,
                ["engine"] = script.Engine.ToString(),
                ["state"] = script.State.ToString(),
                ["versions"] = JsonLines.Strings(script.Versions),
                ["path"] = script.Path,
                ["sql"] = script.Path is null ? script.Sql : null,
                ["problem"] = script.Problem,
            });
        }
        else if (script.Path is not null)
        {
            console.Out($"{script.Path}  ({script.Versions.Length} migrations, {script.State})");
        }
        else
        {
            console.Out(script.Sql.TrimEnd('\n'));
            console.Out();
        }
        if (script.Problem is not null) console.Error($"{script.TenantName}: nothing to export: {CliApp.OneLine(script.Problem)}");
    }
}

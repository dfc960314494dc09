using System.CommandLine;
using System.Text;
using TenantMigrations.Engine.Execution;

namespace TenantMigrations.Cli;

/// <summary>tenantmigrations export: the exact SQL a migrate would run for each tenant, placeholders resolved.</summary>
public static class ExportCommand
{
    public static Command Create(FleetOptions options)
    {
        var output = new Option<string?>("--output", "-o") { Description = "Write one <tenant>.sql per tenant into this folder (default: stdout).", HelpName = "dir" };
        var command = new Command("export", "Write the SQL each tenant would run (migrations and journal inserts) to a folder or stdout.");
        options.AddTo(command);
        options.AddLimitsTo(command);
        command.Options.Add(output);
        command.SetAction((parseResult, cancellationToken) => CliApp.RunAsync(options.IsJson(parseResult), async console =>
        {
            var json = options.IsJson(parseResult);
            var set = options.LoadMigrations(parseResult);
            var tenants = await options.SelectTenantsAsync(parseResult, set, console, cancellationToken);
            var exports = await new FleetMigrator().ExportAsync(tenants, set, options.PlanOptions(parseResult), parseResult.GetValue(options.Throttle), options.Limits(parseResult), cancellationToken);
            var folder = parseResult.GetValue(output);
            if (folder is not null) Directory.CreateDirectory(folder);
            foreach (var export in exports)
            {
                string? path = null;
                if (folder is not null)
                {
                    path = Path.GetFullPath(Path.Combine(folder, CliApp.SafeFileName(export.Tenant.Name) + ".sql"));
                    await File.WriteAllTextAsync(path, export.Sql, new UTF8Encoding(false), cancellationToken);
                }
                if (json)
                {
                    console.Json(new
                    {
                        type = "export",
                        tenant = export.Tenant.Name,
                        engine = export.Tenant.Engine,
                        state = export.State,
                        versions = export.Versions,
                        path,
                        sql = path is null ? export.Sql : null,
                        problem = export.Problem,
                    });
                }
                else if (path is not null)
                {
                    console.Out($"{path}  ({export.Versions.Count} migrations, {export.State})");
                }
                else
                {
                    console.Out(export.Sql.TrimEnd('\n'));
                    console.Out();
                }
                if (export.Problem is not null) console.Error($"{export.Tenant.Name}: nothing to export: {CliApp.OneLine(export.Problem)}");
            }
            return exports.All(e => e.Problem is null) ? ExitCodes.Success : ExitCodes.TenantsFailed;
        }));
        return command;
    }
}

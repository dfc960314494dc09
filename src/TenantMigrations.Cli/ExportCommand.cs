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
            var exports = await new FleetMigrator().ExportAsync(tenants, set, options.PlanOptions(parseResult), parseResult.GetValue(options.Throttle), options.Limits(parseResult), cancellationToken);
            var folder = parseResult.GetValue(output);
            string? PathOf(Engine.Execution.TenantScriptExport export) =>
                folder is null ? null : Path.GetFullPath(Path.Combine(folder, CliApp.SafeFileName(export.Tenant.Name) + ".sql"));
            var existing = exports.Select(PathOf).Where(File.Exists).ToList();
            if (existing.Count > 0 && !parseResult.GetValue(force))
            {
                throw new UsageException($"{existing[0]}{(existing.Count > 1 ? $" and {existing.Count - 1} more file(s)" : "")} already exist(s): nothing was written. Pass --force to overwrite.");
            }
            if (folder is not null) Directory.CreateDirectory(folder);
            foreach (var export in exports)
            {
                var path = PathOf(export);
                if (path is not null) await File.WriteAllTextAsync(path, export.Sql, new UTF8Encoding(false), cancellationToken);
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

using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using TenantMigrations.Engine.Commands;
using TenantMigrations.Engine.Schema.Drift;

namespace TenantMigrations.Cli;

/// <summary>
/// tenantmigrations drift: Test-TenantSchema's logic. Compares each tenant's live schema with a reference tenant at
/// the same version, prints the tenants and the drift classes, and exits 1 when any tenant drifted (or could not be read).
/// </summary>
public static class DriftCommand
{
    public static Command Create(FleetOptions options)
    {
        var reference = new Option<string?>("--reference-tenant") { Description = "A tenant known to be good, among the tenants selected: tenants at its version are compared with its live schema." };
        var typedReference = new Option<bool>("--typed-reference") { Description = "Compare each tenant with the schema that the fully typed migrations folder (--migrations) describes at the tenant's version." };
        var summary = new Option<bool>("--summary") { Description = "Print only the drift classes (tenants grouped by their set of differences)." };
        var suggestDir = new Option<string?>("--suggest-dir") { Description = "Write one suggested SQL script per drift class and engine to this folder (a suggestion to review, never run by the tool)." };
        var command = new Command("drift", "Compare each tenant's live schema (tables, columns, keys, indexes, views) with a reference tenant at the same version. Exit code 1 when drift is found.");
        options.AddSourcesTo(command);
        foreach (var option in new Option[] { options.Migrations, options.Throttle, options.Json })
        {
            command.Options.Add(option);
        }
        options.AddLimitsTo(command);
        command.Options.Add(reference);
        command.Options.Add(typedReference);
        command.Validators.Add(result =>
        {
            if ((result.GetResult(reference) is null) == (result.GetResult(typedReference) is null)) result.AddError("Give exactly one reference: --reference-tenant NAME or --typed-reference.");
        });
        command.Options.Add(summary);
        command.Options.Add(suggestDir);
        command.SetAction((parseResult, cancellationToken) => CliApp.RunAsync(options.IsJson(parseResult), async console =>
        {
            var json = options.IsJson(parseResult);
            var set = options.LoadMigrations(parseResult);
            var tenants = await options.SelectTenantsAsync(parseResult, set, console, cancellationToken);
            var host = new CliCommandHost(console, json, _ => { });
            using var drift = new SchemaDriftCommand(set, parseResult.GetValue(options.Throttle), options.Limits(parseResult))
            {
                ReferenceTenant = parseResult.GetValue(reference),
                TypedReference = parseResult.GetValue(typedReference),
                SuggestionFolder = parseResult.GetValue(suggestDir) is { } folder ? Path.GetFullPath(folder) : null,
            };
            foreach (var tenant in tenants) drift.Add(tenant, host);
            SchemaDriftReport report;
            try
            {
                using (cancellationToken.Register(drift.Cancel))
                {
                    report = await Task.Run(() => drift.Run(host), CancellationToken.None);
                }
            }
            catch (CommandTerminatingException ex)
            {
                if (ex.Error.ErrorId is DriftErrorIds.ReferenceTenantNotFound or DriftErrorIds.NoSchemaReference) throw new UsageException(ex.Error.Message);
                if (json) console.Json(JsonLines.Error(ex.Error.ErrorId, CliApp.OneLine(ex.Error.Message), ExitCodes.TenantsFailed));
                console.Error($"error: {ex.Error.ErrorId}: {CliApp.OneLine(ex.Error.Message)}");
                return ExitCodes.TenantsFailed;
            }
            cancellationToken.ThrowIfCancellationRequested();

            var showTenants = !parseResult.GetValue(summary);
            if (json) WriteJson(console, report, showTenants);
            else WriteTable(console, report, showTenants);
            return report.HasDrift || host.ErrorCount > 0 ? ExitCodes.TenantsFailed : ExitCodes.Success;
        }));
        return command;
    }

    private static void WriteJson(CliConsole console, SchemaDriftReport report, bool showTenants)
    {
        if (showTenants)
        {
            foreach (var check in report.Checks)
            {
                console.Json(new JsonObject
                {
                    ["type"] = "drift",
                    ["tenant"] = check.TenantName,
                    ["engine"] = check.Engine.ToString(),
                    ["status"] = check.Status.ToString(),
                    ["version"] = check.Version,
                    ["reference"] = check.Reference,
                    ["referenceVersion"] = check.ReferenceVersion,
                    ["differences"] = JsonLines.Array(check.Differences, Json),
                    ["driftClass"] = check.DriftClass,
                    ["message"] = check.Message,
                });
            }
        }
        foreach (var driftClass in report.Classes)
        {
            console.Json(new JsonObject
            {
                ["type"] = "driftClass",
                ["status"] = driftClass.Status.ToString(),
                ["count"] = driftClass.Count,
                ["description"] = driftClass.Description,
                ["differences"] = JsonLines.Array(driftClass.Differences, Json),
                ["tenants"] = JsonLines.Strings(driftClass.Tenants),
                ["suggestionPath"] = driftClass.SuggestionPath,
            });
        }
        console.Json(new JsonObject
        {
            ["type"] = "summary",
            ["tenants"] = report.Checks.Count,
            ["inSync"] = Count(report, SchemaCheckStatus.InSync),
            ["drifted"] = Count(report, SchemaCheckStatus.Drifted),
            ["versionMismatch"] = Count(report, SchemaCheckStatus.VersionMismatch),
            ["unreadable"] = Count(report, SchemaCheckStatus.Unreadable),
            ["driftClasses"] = report.Classes.Count(c => c.Status == SchemaCheckStatus.Drifted),
        });
    }

    private static JsonObject Json(SchemaDifference difference) => new()
    {
        ["kind"] = difference.Kind.ToString(),
        ["objectType"] = difference.ObjectType.ToString(),
        ["name"] = difference.Name,
        ["expected"] = difference.Expected,
        ["actual"] = difference.Actual,
        ["description"] = difference.Description,
    };

    private static readonly string[] Header = ["TENANT", "ENGINE", "STATUS", "VERSION", "DIFFERENCES"];

    private static void WriteTable(CliConsole console, SchemaDriftReport report, bool showTenants)
    {
        if (showTenants)
        {
            var rows = new List<string[]> { Header };
            rows.AddRange(report.Checks.Select(c => new[]
            {
                c.TenantName,
                c.Engine.ToString(),
                c.Status.ToString(),
                c.Version ?? "-",
                CliApp.OneLine(c.Status == SchemaCheckStatus.InSync ? "" : c.Message ?? c.DriftClass),
            }));
            var widths = Enumerable.Range(0, 4).Select(i => rows.Max(r => r[i].Length)).ToArray();
            foreach (var row in rows) console.Out((string.Join("  ", row.Take(4).Select((cell, i) => cell.PadRight(widths[i]))) + "  " + row[4]).TrimEnd());
            console.Out();
        }
        console.Out($"{report.Checks.Count} tenants: {Count(report, SchemaCheckStatus.InSync)} in sync, {Count(report, SchemaCheckStatus.Drifted)} drifted, "
            + $"{Count(report, SchemaCheckStatus.VersionMismatch)} not compared (other version), {Count(report, SchemaCheckStatus.Unreadable)} unreadable");
        if (report.Classes.Count == 0) return;
        console.Out("By drift class:");
        var countWidth = report.Classes.Max(c => c.Count.ToString(CultureInfo.InvariantCulture).Length);
        foreach (var driftClass in report.Classes)
        {
            var tenants = driftClass.Count == 1 ? "tenant " : "tenants";
            console.Out($"  {driftClass.Count.ToString(CultureInfo.InvariantCulture).PadLeft(countWidth)} {tenants}: {CliApp.OneLine(driftClass.Description)}");
            if (driftClass.SuggestionPath is not null) console.Out($"  {new string(' ', countWidth)}          suggestion: {driftClass.SuggestionPath}");
        }
    }

    private static int Count(SchemaDriftReport report, SchemaCheckStatus status) => report.Checks.Count(c => c.Status == status);
}

using System.CommandLine;
using System.Text.Json.Nodes;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Commands;

namespace TenantMigrations.Cli;

/// <summary>
/// tenantmigrations validate: Test-TenantMigration's checks (the folder, checksums, missing files, failed or
/// incomplete runs, out-of-order versions) over each tenant's journal, read-only.
/// </summary>
public static class ValidateCommand
{
    public static Command Create(FleetOptions options)
    {
        var command = new Command("validate", "Check that every tenant could be migrated cleanly with the current files (checksums, missing files, failed or incomplete runs, out-of-order versions); changes nothing.");
        options.AddTo(command);
        options.AddLimitsTo(command);
        command.SetAction((parseResult, cancellationToken) => CliApp.RunAsync(options.IsJson(parseResult), async console =>
        {
            var json = options.IsJson(parseResult);
            var set = options.LoadMigrations(parseResult);
            var tenants = await options.SelectTenantsAsync(parseResult, set, console, cancellationToken);
            var results = new List<TenantMigrationTestResult>();
            var host = new CliCommandHost(console, json, value =>
            {
                if (value is TenantMigrationTestResult result) results.Add(result);
            });
            using var validation = new MigrationTestCommand(set, options.PlanOptions(parseResult), parseResult.GetValue(options.Throttle), options.Limits(parseResult));
            foreach (var tenant in tenants) validation.Add(tenant, host);
            await CliCommandHost.RunAsync(validation, () => validation.Run(host), cancellationToken);

            if (json)
            {
                foreach (var result in results) console.Json(ToJson(result));
                console.Json(new JsonObject { ["type"] = "summary", ["total"] = results.Count, ["passed"] = results.Count(r => r.Passed), ["failed"] = results.Count(r => !r.Passed), ["errors"] = host.ErrorCount });
            }
            else
            {
                WriteTable(console, results);
            }
            return results.All(r => r.Passed) && host.ErrorCount == 0 ? ExitCodes.Success : ExitCodes.TenantsFailed;
        }));
        return command;
    }

    private static JsonObject ToJson(TenantMigrationTestResult result) => new()
    {
        ["type"] = "validate",
        ["tenant"] = result.TenantName,
        ["engine"] = result.Engine.ToString(),
        ["state"] = result.State.ToString(),
        ["passed"] = result.Passed,
        ["pendingCount"] = result.PendingCount,
        ["problems"] = JsonLines.Strings(result.Problems.Select(CliApp.OneLine)),
    };

    private static readonly string[] Header = ["TENANT", "ENGINE", "STATE", "PENDING", "RESULT", "PROBLEMS"];

    private static void WriteTable(CliConsole console, List<TenantMigrationTestResult> results)
    {
        var rows = new List<string[]> { Header };
        rows.AddRange(results.Select(r => new[]
        {
            r.TenantName,
            r.Engine.ToString(),
            r.State.ToString(),
            r.PendingCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
            r.Passed ? "passed" : "FAILED",
            string.Join("; ", r.Problems.Select(CliApp.OneLine)),
        }));
        var widths = Enumerable.Range(0, 5).Select(i => rows.Max(r => r[i].Length)).ToArray();
        foreach (var row in rows)
        {
            console.Out((string.Join("  ", row.Take(5).Select((cell, i) => cell.PadRight(widths[i]))) + "  " + row[5]).TrimEnd());
        }
        console.Out();
        var failed = results.Count(r => !r.Passed);
        console.Out($"{results.Count} tenants: {results.Count - failed} passed, {failed} failed");
    }
}

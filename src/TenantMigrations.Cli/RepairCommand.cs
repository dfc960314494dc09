using System.CommandLine;
using System.Text.Json.Nodes;
using TenantMigrations.Engine.Commands;
using JournalRepairCommand = TenantMigrations.Engine.Commands.RepairCommand;

namespace TenantMigrations.Cli;

/// <summary>
/// tenantmigrations repair: Repair-TenantMigration's logic. After a human fixed a tenant, it removes the failed and
/// incomplete journal rows and realigns the checksums of edited files, and says exactly what it changes per tenant.
/// The CLI never prompts: --yes applies the plan, --dry-run only prints it.
/// </summary>
public static class RepairCommand
{
    public static Command Create(FleetOptions options)
    {
        var yes = new Option<bool>("--yes", "-y") { Description = "Apply the repair (the CLI never asks)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print what the repair would change; change nothing." };
        var lockTimeout = FleetOptions.SecondsOption("--lock-timeout", "Seconds to wait for a tenant's migration lock (default: 10).", TimeSpan.FromDays(1));
        var command = new Command("repair", "Remove failed and incomplete journal rows (they run again next time) and realign the checksums of edited files, after a human fixed the tenant. Needs --yes or --dry-run.");
        options.AddSourcesTo(command);
        foreach (var option in new Option[] { options.Migrations, options.Json })
        {
            command.Options.Add(option);
        }
        options.AddLimitsTo(command);
        command.Options.Add(yes);
        command.Options.Add(dryRun);
        command.Options.Add(lockTimeout);
        command.SetAction((parseResult, cancellationToken) => CliApp.RunAsync(options.IsJson(parseResult), async console =>
        {
            var json = options.IsJson(parseResult);
            var apply = parseResult.GetValue(yes);
            if (apply == parseResult.GetValue(dryRun)) throw new UsageException("repair needs exactly one of --yes (apply the repair) or --dry-run (only print it); it never asks.");
            var set = options.LoadMigrations(parseResult);
            var tenants = await options.SelectTenantsAsync(parseResult, set, console, cancellationToken);

            var planned = 0;
            var results = new List<TenantRepairResult>();
            var host = new CliCommandHost(console, json, value =>
            {
                if (value is not TenantRepairResult result) return;
                results.Add(result);
                WriteResult(console, json, result);
            }, (target, action) =>
            {
                planned++;
                var tenant = tenants.FirstOrDefault(t => TenantMigrationCommand.Target(t) == target);
                if (json) console.Json(new JsonObject { ["type"] = "plan", ["tenant"] = tenant?.Name ?? target, ["engine"] = tenant?.Engine.ToString(), ["action"] = action });
                else console.Out($"{tenant?.Name ?? target}: {action}");
                return apply;
            });
            var timeout = TimeSpan.FromSeconds(parseResult.GetValue(lockTimeout) ?? 10);
            using var repair = new JournalRepairCommand(set, timeout, limits: options.Limits(parseResult));
            foreach (var tenant in tenants) repair.Add(tenant, host);
            await CliCommandHost.RunAsync(repair, () => repair.Run(host), cancellationToken);

            var failed = results.Count(r => r.Error is not null);
            if (json)
            {
                console.Json(new JsonObject { ["type"] = "summary", ["dryRun"] = !apply, ["tenants"] = tenants.Count, ["toRepair"] = planned, ["repaired"] = apply ? results.Count(r => r.Changed) : 0, ["failed"] = failed, ["errors"] = host.ErrorCount });
            }
            else
            {
                console.Out();
                console.Out(apply
                    ? $"{tenants.Count} tenants: {results.Count(r => r.Changed)} repaired, {tenants.Count - planned} with nothing to repair, {failed} with problems"
                    : $"dry run: {planned} of {tenants.Count} tenants would be repaired; nothing changed. Run with --yes to apply.");
            }
            return host.ErrorCount == 0 ? ExitCodes.Success : ExitCodes.TenantsFailed;
        }));
        return command;
    }

    private static void WriteResult(CliConsole console, bool json, TenantRepairResult result)
    {
        if (json)
        {
            console.Json(new JsonObject
            {
                ["type"] = "repair",
                ["tenant"] = result.TenantName,
                ["engine"] = result.Engine.ToString(),
                ["stateBefore"] = result.StateBefore.ToString(),
                ["stateAfter"] = result.StateAfter.ToString(),
                ["changed"] = result.Changed,
                ["removedFailed"] = JsonLines.Strings(result.RemovedFailed),
                ["removedIncomplete"] = JsonLines.Strings(result.RemovedIncomplete),
                ["realignedChecksums"] = JsonLines.Strings(result.RealignedChecksums),
                ["missingFiles"] = JsonLines.Strings(result.MissingFiles),
                ["error"] = result.Error is null ? null : new JsonObject { ["errorId"] = result.Error.ErrorId, ["message"] = CliApp.OneLine(result.Error.Message) },
            });
            return;
        }
        var changes = new List<string>();
        if (result.RemovedFailed.Length > 0) changes.Add($"removed failed {string.Join(", ", result.RemovedFailed)}");
        if (result.RemovedIncomplete.Length > 0) changes.Add($"removed incomplete {string.Join(", ", result.RemovedIncomplete)}");
        if (result.RealignedChecksums.Length > 0) changes.Add($"realigned checksums of {string.Join(", ", result.RealignedChecksums)}");
        if (result.MissingFiles.Length > 0) changes.Add($"files missing for {string.Join(", ", result.MissingFiles)} (restore them)");
        if (changes.Count == 0 && result.Error is null) changes.Add("nothing to repair");
        if (result.Error is not null && result.MissingFiles.Length == 0) changes.Add(CliApp.OneLine(result.Error.Message));
        console.Out($"{result.TenantName}: {result.StateBefore} -> {result.StateAfter}: {string.Join("; ", changes)}");
    }
}

using System.CommandLine;
using System.Text.Json.Nodes;
using TenantMigrations.Engine.Commands;
using TenantMigrations.Engine.Execution;

namespace TenantMigrations.Cli;

/// <summary>
/// tenantmigrations replay: Copy-TenantMigrationHistory. Applies the recorded history of --from to the existing, empty
/// tenant --to through the migrate command, journaled as usual; --dry-run prints what would run.
/// </summary>
public static class ReplayCommand
{
    public static Command Create(FleetOptions options)
    {
        var from = new Option<string>("--from") { Description = "The tenant whose recorded history is replayed (its journal is only read).", HelpName = "tenant", Required = true };
        var to = new Option<string>("--to") { Description = "The existing, empty tenant that receives it.", HelpName = "tenant", Required = true };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print what would be replayed; change nothing." };
        var lockTimeout = FleetOptions.SecondsOption("--lock-timeout", "Seconds to wait for the target's migration lock (default: 10).", TimeSpan.FromDays(1));
        var command = new Command("replay", "Replay one tenant's recorded history (its applied scripts, as its journal kept them) into a new, empty tenant, which may use another engine where the scripts allow.");
        options.AddSourcesTo(command);
        foreach (var option in new Option[] { options.Migrations, options.Json, from, to, dryRun, lockTimeout })
        {
            command.Options.Add(option);
        }
        options.AddLimitsTo(command);
        command.SetAction((parseResult, cancellationToken) => CliApp.RunAsync(options.IsJson(parseResult), async console =>
        {
            var json = options.IsJson(parseResult);
            var set = HistorySettings.Load(options, parseResult);
            var tenants = await options.SelectTenantsAsync(parseResult, set, console, cancellationToken);
            var source = Find(tenants, parseResult.GetValue(from)!, "--from");
            var target = Find(tenants, parseResult.GetValue(to)!, "--to");
            var results = new List<TenantMigrationResult>();
            var host = new CliCommandHost(console, json, value =>
            {
                if (value is not TenantMigrationResult result) return;
                results.Add(result);
                Write(console, json, source, result);
            }, parseResult.GetValue(dryRun) ? null : (_, _) => true);
            var migrateOptions = new MigrateOptions
            {
                LockTimeout = TimeSpan.FromSeconds(parseResult.GetValue(lockTimeout) ?? 10),
                Limits = options.Limits(parseResult),
                ThrottleLimit = 1,
            };
            using var replay = new HistoryReplayCommand(set, source, target, migrateOptions);
            try
            {
                using (cancellationToken.Register(replay.Cancel))
                {
                    await Task.Run(() => replay.Run(host), CancellationToken.None);
                }
            }
            catch (CommandTerminatingException ex)
            {
                return HistorySettings.Report(console, json, ex);
            }
            cancellationToken.ThrowIfCancellationRequested();
            return host.ErrorCount == 0 && results.All(r => r.Succeeded) ? ExitCodes.Success : ExitCodes.TenantsFailed;
        }));
        return command;
    }

    private static Tenant Find(IReadOnlyList<Tenant> tenants, string name, string option) =>
        tenants.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new UsageException($"{option} '{name}' is not among the tenants of the given sources ({tenants.Count} found).");

    private static void Write(CliConsole console, bool json, Tenant source, TenantMigrationResult r)
    {
        var migrations = r.DryRun ? r.Planned : r.Applied;
        if (json)
        {
            console.Json(new JsonObject
            {
                ["type"] = "replay",
                ["from"] = source.Name,
                ["tenant"] = r.TenantName,
                ["engine"] = r.Engine.ToString(),
                ["succeeded"] = r.Succeeded,
                ["dryRun"] = r.DryRun,
                ["stateBefore"] = r.StateBefore.ToString(),
                ["stateAfter"] = r.StateAfter.ToString(),
                ["versionAfter"] = r.DryRun ? null : r.VersionAfter,
                ["migrations"] = JsonLines.Array(migrations, m => new JsonObject { ["version"] = m.Version, ["description"] = m.Description, ["kind"] = m.Kind.ToString(), ["script"] = m.Script }),
                ["error"] = r.Error is null ? null : new JsonObject { ["errorId"] = r.Error.ErrorId, ["message"] = CliApp.OneLine(r.Error.Message), ["script"] = r.Error.Script },
                ["durationMs"] = (long)r.Duration.TotalMilliseconds,
                ["runId"] = r.RunId,
            });
            return;
        }
        var list = string.Join(", ", migrations.Select(m => m.Version ?? "R " + m.Description));
        var line = r.DryRun
            ? $"{r.TenantName}: would replay {migrations.Length} migration(s) of {source.Name}: {list}"
            : $"{r.TenantName}: replayed {migrations.Length} migration(s) of {source.Name} in {CliApp.Seconds(r.Duration)}: {list}; {r.StateBefore} -> {r.StateAfter}, version {r.VersionAfter ?? "-"}";
        if (r.Error is not null) line += $"  {r.Error.ErrorId}: {CliApp.OneLine(r.Error.Message)}";
        console.Out(line);
    }
}

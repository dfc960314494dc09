using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using TenantMigrations.Engine.Rollouts.RunRecords;

namespace TenantMigrations.Cli;

/// <summary>tenantmigrations runs [RUN]: lists the recorded runs, or shows one with its failures and the tenants left.</summary>
public static class RunsCommand
{
    private static readonly string[] Header = ["RUN", "STARTED", "FINISHED", "DONE", "FAILED"];

    public static Command Create()
    {
        var run = new Argument<string?>("run") { Description = "The run to show; every run when omitted.", Arity = ArgumentArity.ZeroOrOne };
        var store = RunRecordOptions.StoreOption();
        var json = new Option<bool>("--json") { Description = "Write JSON lines (one object per line, each with a \"type\") instead of text." };

        var command = new Command("runs", "List the recorded migrate runs, or show one: progress, failures with their errors, tenants left, duration.");
        command.Arguments.Add(run);
        command.Options.Add(store);
        command.Options.Add(json);
        command.SetAction((parseResult, cancellationToken) => CliApp.RunAsync(parseResult.GetValue(json), async console =>
        {
            var runStore = RunRecordOptions.StoreFor(parseResult, store);
            var asJson = parseResult.GetValue(json);
            if (parseResult.GetValue(run) is { } runId)
            {
                var one = await runStore.ReadAsync(runId, cancellationToken);
                if (asJson) console.Json(ToJson(one, details: true));
                else WriteRun(console, one);
            }
            else
            {
                var runs = await runStore.ListAsync(warning => console.Error($"warning: {warning}"), cancellationToken);
                if (asJson) foreach (var each in runs) console.Json(ToJson(each, details: false));
                else WriteList(console, runStore, runs);
            }
            return ExitCodes.Success;
        }));
        return command;
    }

    private static void WriteList(CliConsole console, IRunStore store, IReadOnlyList<TenantMigrationRun> runs)
    {
        if (runs.Count == 0)
        {
            console.Out($"no runs in {store.Location}");
            return;
        }
        var rows = new List<string[]> { Header };
        rows.AddRange(runs.Select(r => new[] { r.RunId, Time(r.StartedAt), Finished(r), $"{r.Done}/{r.TenantCount}", r.Failed.ToString(CultureInfo.InvariantCulture) }));
        var widths = Enumerable.Range(0, Header.Length).Select(i => rows.Max(r => r[i].Length)).ToArray();
        foreach (var row in rows) console.Out(string.Join("  ", row.Select((cell, i) => cell.PadRight(widths[i]))).TrimEnd());
    }

    private static void WriteRun(CliConsole console, TenantMigrationRun run)
    {
        console.Out($"run       {run.RunId}");
        console.Out($"started   {Time(run.StartedAt)}");
        console.Out($"finished  {Finished(run)}");
        console.Out($"progress  {run.Done}/{run.TenantCount} done, {run.Failed} failed, {run.Left} left, {run.MigrationsApplied} migrations applied");
        if (run.Waves.Length > 0) console.Out($"waves     {string.Join("; ", run.Waves.Select(w => w.ToString()))}");
        console.Out($"duration  {CliApp.Seconds(run.Duration)}{(run.Resumes > 0 ? $" (resumed {run.Resumes} time{(run.Resumes == 1 ? "" : "s")})" : "")}");
        console.Out($"folder    {run.MigrationsFolder}");
        console.Out($"options   {string.Join(" ", run.Options.Select(o => $"--{o.Key} {o.Value}"))}");
        console.Out($"record    {run.Path}");
        if (run.Failures.Length > 0)
        {
            console.Out();
            console.Out($"failures ({run.Failures.Length}):");
            var width = run.Failures.Max(f => f.TenantName.Length);
            foreach (var failure in run.Failures)
            {
                console.Out($"  {failure.TenantName.PadRight(width)}  {failure.Result}  {failure.ErrorId}: {CliApp.OneLine(failure.ErrorMessage)}".TrimEnd());
            }
        }
        if (run.TenantsLeft.Length > 0)
        {
            console.Out();
            console.Out($"tenants left ({run.TenantsLeft.Length}): {string.Join(", ", run.TenantsLeft)}");
        }
    }

    private static JsonObject ToJson(TenantMigrationRun run, bool details) => new()
    {
        ["type"] = "run",
        ["runId"] = run.RunId,
        ["startedAt"] = run.StartedAt,
        ["finishedAt"] = run.FinishedAt,
        ["complete"] = run.Complete,
        ["total"] = run.TenantCount,
        ["done"] = run.Done,
        ["failed"] = run.Failed,
        ["left"] = run.Left,
        ["migrationsApplied"] = run.MigrationsApplied,
        ["resumes"] = run.Resumes,
        ["durationMs"] = (long)run.Duration.TotalMilliseconds,
        ["toolVersion"] = run.ToolVersion,
        ["migrationsFolder"] = run.MigrationsFolder,
        ["options"] = new JsonObject(run.Options.Select(o => KeyValuePair.Create(o.Key, (JsonNode?)o.Value))),
        ["path"] = run.Path,
        ["waves"] = details ? JsonLines.Array(run.Waves, w => new JsonObject { ["name"] = w.Name, ["done"] = w.Done, ["succeeded"] = w.Succeeded, ["failed"] = w.Failed }) : null,
        ["failures"] = details ? JsonLines.Array(run.Failures, Outcome) : null,
        ["tenantsLeft"] = details ? JsonLines.Strings(run.TenantsLeft) : null,
        ["tenants"] = details ? JsonLines.Array(run.Tenants, Outcome) : null,
    };

    private static JsonObject Outcome(TenantRunOutcome t) => new()
    {
        ["tenant"] = t.TenantName,
        ["engine"] = t.Engine.ToString(),
        ["outcome"] = t.Result.ToString(),
        ["stateAfter"] = t.StateAfter.ToString(),
        ["versionBefore"] = t.VersionBefore,
        ["versionAfter"] = t.VersionAfter,
        ["applied"] = JsonLines.Strings(t.Applied),
        ["errorId"] = t.ErrorId,
        ["wave"] = t.Wave,
        ["error"] = t.ErrorMessage,
        ["durationMs"] = (long)t.Duration.TotalMilliseconds,
        ["finishedAt"] = t.FinishedAt,
    };

    private static string Finished(TenantMigrationRun run) => run.Complete && run.FinishedAt is { } finished ? Time(finished) : "incomplete";

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}

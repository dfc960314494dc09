using System.Text.Json.Nodes;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Rollouts;

namespace TenantMigrations.Cli;

/// <summary>
/// What migrate, undo and baseline print: a line (or a "result" JSON line) per tenant as it finishes, then the run's
/// summary, naming the tenants that did not succeed so nobody greps a long run for them.
/// </summary>
public sealed class MigrateOutput(CliConsole console, bool json, int nameWidth)
{
    private const int NamedInSummary = 20;
    private const int FailedTenantsShown = 20;

    private readonly List<TenantMigrationResult> notSucceeded = [];

    private int planned;

    public void Write(TenantMigrationResult result)
    {
        planned += result.Planned.Length;
        if (json) console.Json(ToJson(result));
        else WriteText(result);
        if (!result.Succeeded && !result.Skipped) notSucceeded.Add(result);
    }

    public void WriteSummary(MigrationRunSummary summary, bool dryRun, int alreadyDone)
    {
        if (json)
        {
            console.Json(new JsonObject
            {
                ["type"] = "summary",
                ["runId"] = summary.RunId,
                ["dryRun"] = dryRun,
                ["total"] = summary.Total,
                ["succeeded"] = summary.Succeeded,
                ["failed"] = summary.Failed,
                ["locked"] = summary.Locked,
                ["blocked"] = summary.Blocked,
                ["unreachable"] = summary.Unreachable,
                ["skipped"] = summary.Skipped,
                ["notStarted"] = summary.Skipped,
                ["skippedLocked"] = summary.SkippedLocked,
                ["verificationFailed"] = summary.VerificationFailed,
                ["migrationsApplied"] = summary.MigrationsApplied,
                ["undo"] = summary.IsUndo,
                ["migrationsPlanned"] = planned,
                ["cancelled"] = summary.Cancelled,
                ["stoppedBy"] = summary.StoppedBy.ToString(),
                ["waves"] = JsonLines.Array(summary.Waves, w => new JsonObject { ["name"] = w.Name, ["total"] = w.Total, ["succeeded"] = w.Succeeded, ["failed"] = w.Failed, ["verificationFailed"] = w.VerificationFailed, ["skippedLocked"] = w.SkippedLocked, ["notStarted"] = w.NotStarted, ["passed"] = w.Passed }),
                ["failedTenants"] = JsonLines.Strings(summary.FailedTenants.Take(FailedTenantsShown)),
                ["failedTenantsNotShown"] = Math.Max(0, summary.FailedTenants.Length - FailedTenantsShown),
                ["allSucceeded"] = summary.AllSucceeded,
                ["durationMs"] = (long)summary.Duration.TotalMilliseconds,
                ["alreadyDone"] = alreadyDone,
            });
            return;
        }
        foreach (var wave in summary.Waves) console.Out(wave.ToString());
        var notes = new List<string>();
        if (dryRun) notes.Add($"dry run: {planned} migrations would be {(summary.IsUndo ? "undone" : "applied")}");
        if (summary.Cancelled) notes.Add($"cancelled: {summary.Skipped} tenants not started");
        console.Out(summary + (notes.Count > 0 ? $" ({string.Join("; ", notes)})" : ""));
        if (NotSucceeded() is { } line) console.Out(line);
    }

    private string? NotSucceeded()
    {
        var results = notSucceeded.OrderBy(r => r.TenantName, StringComparer.OrdinalIgnoreCase).ToList();
        if (results.Count == 0) return null;
        var named = string.Join(", ", results.Take(NamedInSummary).Select(r => $"{r.TenantName} ({r.Error?.ErrorId ?? r.StateAfter.ToString()})"));
        return $"Not succeeded: {named}{(results.Count > NamedInSummary ? $" and {results.Count - NamedInSummary} more" : "")}";
    }

    private void WriteText(TenantMigrationResult r)
    {
        if (r.Skipped)
        {
            console.Out($"{r.TenantName.PadRight(nameWidth)}  Skipped (locked by another runner)");
            return;
        }
        var line = $"{r.TenantName.PadRight(nameWidth)}  {r.StateBefore} -> {r.StateAfter}  version {r.VersionBefore ?? "-"} -> {r.VersionAfter ?? "-"}";
        line += r.DryRun
            ? $"  would {(r.Planned.Length > 0 && r.Planned.All(p => p.Kind == MigrationKind.Undo) ? "undo" : "apply")} {r.Planned.Length}{(r.Planned.Length > 0 ? ": " + string.Join(", ", r.Planned.Select(p => p.Version ?? "R " + p.Description)) : "")}"
            : $"  {(r.Applied.Length > 0 && r.Applied.All(p => p.Kind == MigrationKind.Undo) ? "undid" : "applied")} {r.Applied.Length} in {CliApp.Seconds(r.Duration)}";
        if (r.Error is not null) line += $"  {r.Error.ErrorId}: {CliApp.OneLine(r.Error.Message)}";
        console.Out(line);
        if (r.Error?.Statement is { Length: > 0 } statement)
        {
            var oneLine = CliApp.OneLine(statement);
            console.Out($"{"".PadRight(nameWidth)}  statement: {(oneLine.Length > 200 ? oneLine[..200] + "..." : oneLine)}");
        }
    }

    private static JsonObject ToJson(TenantMigrationResult r) => new()
    {
        ["type"] = "result",
        ["tenant"] = r.TenantName,
        ["engine"] = r.Engine.ToString(),
        ["schema"] = r.Tenant.Schema,
        ["succeeded"] = r.Succeeded,
        ["skipped"] = r.Skipped,
        ["wave"] = r.Wave,
        ["stateBefore"] = r.StateBefore.ToString(),
        ["stateAfter"] = r.StateAfter.ToString(),
        ["versionBefore"] = r.VersionBefore,
        ["versionAfter"] = r.VersionAfter,
        ["applied"] = JsonLines.Array(r.Applied, m => Migration(m, planned: false)),
        ["planned"] = JsonLines.Array(r.Planned, m => Migration(m, planned: true)),
        ["error"] = r.Error is null ? null : new JsonObject
        {
            ["errorId"] = r.Error.ErrorId,
            ["message"] = r.Error.Message,
            ["version"] = r.Error.Version,
            ["script"] = r.Error.Script,
            ["statement"] = r.Error.Statement,
            ["statementsCompleted"] = r.Error.StatementsCompleted,
            ["position"] = r.Error.Position,
            ["sqlState"] = r.Error.SqlState,
        },
        ["dryRun"] = r.DryRun,
        ["durationMs"] = (long)r.Duration.TotalMilliseconds,
        ["runId"] = r.RunId,
    };

    /// <summary>A planned migration has no journal state yet: it shows as "Planned", never as the default "Succeeded".</summary>
    private static JsonObject Migration(AppliedMigration m, bool planned) => new()
    {
        ["version"] = m.Version,
        ["description"] = m.Description,
        ["kind"] = m.Kind.ToString(),
        ["script"] = m.Script,
        ["state"] = planned ? "Planned" : m.State.ToString(),
        ["durationMs"] = (long)m.Duration.TotalMilliseconds,
    };
}

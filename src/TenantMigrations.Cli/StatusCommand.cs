using System.CommandLine;
using System.Text.Json.Nodes;
using TenantMigrations.Engine.Commands;
using TenantMigrations.Engine.Execution;

namespace TenantMigrations.Cli;

/// <summary>tenantmigrations status: Get-TenantMigrationStatus's logic, every tenant's state against the migrations folder.</summary>
public static class StatusCommand
{
    public static Command Create(FleetOptions options)
    {
        var command = new Command("status", "Show each tenant's state (UpToDate, Pending, Failed, Drifted, Incomplete, Locked, Unreachable, Invalid).");
        options.AddTo(command);
        options.AddLimitsTo(command);
        command.SetAction((parseResult, cancellationToken) => CliApp.RunAsync(options.IsJson(parseResult), async console =>
        {
            var set = options.LoadMigrations(parseResult);
            var tenants = await options.SelectTenantsAsync(parseResult, set, console, cancellationToken);
            var host = new CliCommandHost(console, options.IsJson(parseResult), _ => { });
            using var reading = new TenantStatusCommand(set, options.PlanOptions(parseResult), parseResult.GetValue(options.Throttle), options.Limits(parseResult));
            foreach (var tenant in tenants) reading.Add(tenant, host);
            IReadOnlyList<TenantMigrationStatus> statuses = [];
            await CliCommandHost.RunAsync(reading, () => statuses = reading.Run(host), cancellationToken);
            if (options.IsJson(parseResult))
            {
                foreach (var status in statuses) console.Json(ToJson(status));
                console.Json(SummaryJson(statuses));
            }
            else
            {
                WriteTable(console, statuses);
            }
            return statuses.All(s => s.State is TenantState.UpToDate or TenantState.Pending) ? ExitCodes.Success : ExitCodes.TenantsFailed;
        }));
        return command;
    }

    private static JsonObject ToJson(TenantMigrationStatus s) => new()
    {
        ["type"] = "status",
        ["tenant"] = s.TenantName,
        ["engine"] = s.Engine.ToString(),
        ["schema"] = s.Tenant.Schema,
        ["state"] = s.State.ToString(),
        ["currentVersion"] = s.CurrentVersion,
        ["pendingCount"] = s.PendingCount,
        ["pending"] = JsonLines.Strings(s.Pending),
        ["failed"] = JsonLines.Strings(s.Failed),
        ["drift"] = JsonLines.Strings(s.Drift),
        ["outOfOrder"] = JsonLines.Strings(s.OutOfOrder),
        ["incomplete"] = JsonLines.Strings(s.Incomplete),
        ["lastAppliedAt"] = s.LastAppliedAt,
        ["message"] = s.Message,
    };

    /// <summary>The fleet in one line: the counts per state and the version cohorts, as the table's footer has them.</summary>
    private static JsonObject SummaryJson(IReadOnlyList<TenantMigrationStatus> statuses) => new()
    {
        ["type"] = "summary",
        ["total"] = statuses.Count,
        ["states"] = StateCounts(state => statuses.Count(s => s.State == state)),
        ["cohorts"] = JsonLines.Array(FleetCohorts.Of(statuses), c => new JsonObject
        {
            ["version"] = c.Version,
            ["count"] = c.Count,
            ["states"] = StateCounts(state => CountOf(c, state)),
        }),
    };

    /// <summary>{"UpToDate":3,"Locked":1}: the states with at least one tenant, in the enum's order.</summary>
    private static JsonObject StateCounts(Func<TenantState, int> countOf)
    {
        var counts = new JsonObject();
        foreach (var state in Enum.GetValues<TenantState>())
        {
            var count = countOf(state);
            if (count > 0) counts[state.ToString()] = count;
        }
        return counts;
    }

    private static int CountOf(TenantVersionCohort cohort, TenantState state) => state switch
    {
        TenantState.UpToDate => cohort.UpToDate,
        TenantState.Pending => cohort.Pending,
        TenantState.Failed => cohort.Failed,
        TenantState.Drifted => cohort.Drifted,
        TenantState.Incomplete => cohort.Incomplete,
        TenantState.Locked => cohort.Locked,
        TenantState.Unreachable => cohort.Unreachable,
        _ => cohort.Invalid,
    };

    private static readonly string[] Header = ["TENANT", "ENGINE", "STATE", "VERSION", "PENDING", "MESSAGE"];

    private static void WriteTable(CliConsole console, IReadOnlyList<TenantMigrationStatus> statuses)
    {
        var rows = new List<string[]> { Header };
        rows.AddRange(statuses.Select(s => new[]
        {
            s.TenantName,
            s.Engine.ToString(),
            s.State.ToString(),
            s.CurrentVersion ?? "-",
            s.PendingCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
            CliApp.OneLine(s.Message ?? string.Join("; ", s.Drift.Concat(s.Failed.Select(f => $"{f}: failed")).Concat(s.OutOfOrder.Select(o => $"{o}: out of order")))),
        }));
        var widths = Enumerable.Range(0, 5).Select(i => rows.Max(r => r[i].Length)).ToArray();
        foreach (var row in rows)
        {
            console.Out((string.Join("  ", row.Take(5).Select((cell, i) => cell.PadRight(widths[i]))) + "  " + row[5]).TrimEnd());
        }
        console.Out();
        console.Out($"{statuses.Count} tenants: {FleetCohorts.StateCounts(statuses.Select(s => s.State))}");
        var cohorts = FleetCohorts.Of(statuses);
        if (cohorts.Count == 0) return;
        var versionWidth = cohorts.Max(c => (c.Version ?? "none").Length);
        console.Out("By version:");
        foreach (var cohort in cohorts)
        {
            console.Out($"  {(cohort.Version ?? "none").PadLeft(versionWidth)}  {cohort.Count} tenant{(cohort.Count == 1 ? "" : "s")}: {cohort.States}");
        }
    }
}

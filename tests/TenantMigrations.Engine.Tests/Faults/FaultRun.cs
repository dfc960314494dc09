using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;

namespace TenantMigrations.Engine.Tests.Faults;

/// <summary>A fleet run with a fault injector beside it, and the figures a fault test reports.</summary>
internal static class FaultRun
{
    /// <summary>
    /// Every migration records itself in the tenant's applied_log table, so a migration applied twice shows as two rows.
    /// The sleeps keep sessions busy long enough for the injector to hit them mid-migration.
    /// </summary>
    public static void WriteMigrations(string folder, string sleepStatement)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "V1__log.sql"), "CREATE TABLE applied_log (version VARCHAR(10) NOT NULL);\nINSERT INTO applied_log (version) VALUES ('1');");
        File.WriteAllText(Path.Combine(folder, "V2__customers.sql"), $"CREATE TABLE customers (id INTEGER PRIMARY KEY, name VARCHAR(100));\n{sleepStatement};\nINSERT INTO applied_log (version) VALUES ('2');");
        File.WriteAllText(Path.Combine(folder, "V3__email.sql"), $"ALTER TABLE customers ADD COLUMN email VARCHAR(200);\n{sleepStatement};\nINSERT INTO applied_log (version) VALUES ('3');");
    }

    /// <summary>Runs the fleet while <paramref name="inject"/> strikes every <paramref name="interval"/> until the run ends or it has struck <paramref name="faults"/> times.</summary>
    public static async Task<FaultRunOutcome> RunAsync(IReadOnlyList<Tenant> tenants, string migrations, MigrateOptions options, int faults, TimeSpan interval, Func<Task<bool>> inject, TimeSpan? firstStrikeAfter = null)
    {
        var sink = new RecordingSink();
        using var finished = new CancellationTokenSource();
        var injected = 0;
        var injector = Task.Run(async () =>
        {
            await Task.Delay(firstStrikeAfter ?? interval);
            while (!finished.IsCancellationRequested && injected < faults)
            {
                if (await inject()) injected++;
                try { await Task.Delay(interval, finished.Token); } catch (OperationCanceledException) { }
            }
        });
        var summary = await new FleetMigrator().MigrateAsync(tenants, MigrationSet.Load(migrations), options, sink);
        await finished.CancelAsync();
        await injector;
        var retries = sink.Events.OfType<FleetLog>().Count(l => l.Message.Contains("transient error, retry", StringComparison.Ordinal));
        var retriedTenants = sink.Events.OfType<FleetLog>().Where(l => l.Message.Contains("transient error, retry", StringComparison.Ordinal))
            .Select(l => l.Message[..l.Message.IndexOf(':', StringComparison.Ordinal)]).Distinct().Count();
        return new FaultRunOutcome(summary, sink.Results, injected, retries, retriedTenants, sink);
    }
}

internal sealed record FaultRunOutcome(MigrationRunSummary Summary, IReadOnlyList<TenantMigrationResult> Results, int FaultsInjected, int Retries, int TenantsRetried, RecordingSink Sink)
{
    public override string ToString() =>
        $"faults injected {FaultsInjected}, retries {Retries} over {TenantsRetried} tenants, results {Results.Count}: " +
        string.Join(", ", Results.GroupBy(r => r.StateAfter).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}"));
}

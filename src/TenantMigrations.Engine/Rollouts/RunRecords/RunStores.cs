using TenantMigrations.Engine.Rollouts.SharedRuns;

namespace TenantMigrations.Engine.Rollouts.RunRecords;

/// <summary>
/// Chooses the run store from --run-store / -RunStore, else TENANTMIGRATIONS_RUN_STORE: a value that starts with
/// "postgres:" or "mysql:" (also "postgresql:", "mariadb:") is a connection string to a shared catalog database;
/// anything else is a folder.
/// </summary>
public static class RunStores
{
    public static IRunStore Resolve(string? given, string currentFolder)
    {
        if (SharedRunStore.IsConnection(given)) return SharedRunStore.Parse(given!);
        if (!string.IsNullOrWhiteSpace(given)) return RunStore.Resolve(given, currentFolder);
        var fromEnvironment = Environment.GetEnvironmentVariable(RunStore.EnvironmentVariable);
        if (SharedRunStore.IsConnection(fromEnvironment)) return SharedRunStore.Parse(fromEnvironment!);
        return RunStore.Resolve(null, currentFolder);
    }
}

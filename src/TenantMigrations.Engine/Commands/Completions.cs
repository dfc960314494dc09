using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Tenants;

namespace TenantMigrations.Engine.Commands;

/// <summary>
/// Tab completion values. Completion must never fail loudly nor keep the user waiting: every problem yields no
/// suggestions, folders are read one level deep only, and work that takes longer than <see cref="Budget"/> is given up.
/// </summary>
public static class Completions
{
    public static readonly TimeSpan Budget = TimeSpan.FromMilliseconds(100);

    /// <summary>The versions in a migrations folder (not its subfolders) that start with <paramref name="word"/>, lowest first, with their descriptions.</summary>
    public static IReadOnlyList<(string Version, string Description)> Versions(string folder, string word, TimeSpan? budget = null) =>
        WithinBudget(budget ?? Budget, deadline => ReadVersions(folder, word, deadline));

    /// <summary>
    /// Tenant names that start with <paramref name="word"/>: from SQLite files already resolved by the caller, else a
    /// tenants file, else the default tenants file of <paramref name="currentFolder"/>.
    /// </summary>
    public static IReadOnlyList<string> TenantNames(string? tenantsFile, IReadOnlyList<string>? sqliteFiles, string currentFolder, string word, TimeSpan? budget = null) =>
        WithinBudget(budget ?? Budget, _ =>
        {
            IReadOnlyList<Tenant> tenants = sqliteFiles is not null
                ? SqliteFileTenants.From(sqliteFiles, "completion")
                : tenantsFile is not null ? TenantSources.FromFile(Path.GetFullPath(tenantsFile, currentFolder))
                : MigrationFolders.DefaultTenants(currentFolder);
            var prefix = word.Trim('\'', '"');
            return tenants.Select(t => t.Name).Where(n => n.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)).Order(StringComparer.OrdinalIgnoreCase).ToList();
        });

    private static List<(string Version, string Description)> ReadVersions(string folder, string word, DateTime deadline)
    {
        if (!Directory.Exists(folder)) return [];
        var versions = new List<(MigrationVersion Version, string Description)>();
        foreach (var path in Directory.EnumerateFiles(folder, "V*.sql", SearchOption.TopDirectoryOnly))
        {
            if (DateTime.UtcNow > deadline) return [];
            try
            {
                var script = MigrationSet.ReadScript(path);
                if (script.Version is not null && versions.All(v => !v.Version.Equals(script.Version))) versions.Add((script.Version, script.Description));
            }
            catch (MigrationSetException)
            {
                // A broken file does not stop completion of the others.
            }
        }
        return versions.OrderBy(v => v.Version)
            .Where(v => v.Version.Text.StartsWith(word.Trim('\'', '"'), StringComparison.OrdinalIgnoreCase))
            .Select(v => (v.Version.Text, v.Description))
            .ToList();
    }

    /// <summary>Runs <paramref name="work"/> off the caller's thread and gives up (no suggestions) when it fails or takes too long.</summary>
    private static List<T> WithinBudget<T>(TimeSpan budget, Func<DateTime, List<T>> work)
    {
        var deadline = DateTime.UtcNow + budget;
        var task = Task.Run(() => work(deadline));
        try
        {
            return task.Wait(budget) ? task.Result : [];
        }
        catch (AggregateException ex) when (ex.InnerException is TenantSourceException or CommandTerminatingException or IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return [];
        }
    }
}

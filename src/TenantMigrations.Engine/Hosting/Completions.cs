using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Tenants;

namespace TenantMigrations.Engine.Hosting;

/// <summary>Tab completion values. Completion must never fail loudly, so every problem yields no suggestions.</summary>
public static class Completions
{
    /// <summary>The versions in a migrations folder that start with <paramref name="word"/>, lowest first, with their descriptions.</summary>
    public static IReadOnlyList<(string Version, string Description)> Versions(string folder, string word)
    {
        try
        {
            if (!Directory.Exists(folder)) return [];
            var versions = new List<(MigrationVersion Version, string Description)>();
            foreach (var path in Directory.EnumerateFiles(folder, "V*.sql", SearchOption.AllDirectories))
            {
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
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return [];
        }
    }

    /// <summary>Tenant names from a tenants file or a SQLite glob that start with <paramref name="word"/>.</summary>
    public static IReadOnlyList<string> TenantNames(string? tenantsFile, string? sqliteGlob, string baseFolder, string word)
    {
        try
        {
            IReadOnlyList<Tenant> tenants = sqliteGlob is not null
                ? TenantSources.FromSqliteGlob(sqliteGlob, baseFolder)
                : tenantsFile is not null ? TenantSources.FromFile(Path.GetFullPath(tenantsFile, baseFolder))
                : MigrationFolders.DefaultTenants(baseFolder);
            var prefix = word.Trim('\'', '"');
            return tenants.Select(t => t.Name).Where(n => n.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)).Order(StringComparer.OrdinalIgnoreCase).ToList();
        }
        catch (Exception ex) when (ex is TenantSourceException or CommandTerminatingException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            return [];
        }
    }
}

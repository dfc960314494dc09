using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Tenants;

namespace TenantMigrations.Engine.Commands;

/// <summary>Finds and loads the migrations folder and the default tenants for a command.</summary>
public static class MigrationFolders
{
    public const string ConventionalFolder = "migrations";

    /// <summary>
    /// The folder to use when -Path is not given: the current folder when it holds the settings file, else a
    /// ./migrations folder when it exists, else the current folder.
    /// </summary>
    public static string Resolve(string? path, string currentFolder)
    {
        if (!string.IsNullOrWhiteSpace(path)) return Path.GetFullPath(path, currentFolder);
        if (File.Exists(Path.Combine(currentFolder, MigrationSettings.FileName))) return currentFolder;
        var conventional = Path.Combine(currentFolder, ConventionalFolder);
        return Directory.Exists(conventional) ? conventional : currentFolder;
    }

    /// <summary>Loads the folder, turning an invalid one into the terminating error of the whole call.</summary>
    public static MigrationSet Load(string? path, string currentFolder)
    {
        var folder = Resolve(path, currentFolder);
        try
        {
            return MigrationSet.Load(folder);
        }
        catch (MigrationSetException ex)
        {
            throw CommandErrorIds.Terminating(CommandErrorIds.InvalidMigrationFolder, ex.Message, ex.FilePath, ex);
        }
    }

    /// <summary>Tenants used when none arrive through the pipeline: tenants.json or tenants.csv in the current folder.</summary>
    public static IReadOnlyList<Tenant> DefaultTenants(string currentFolder)
    {
        foreach (var name in new[] { "tenants.json", "tenants.csv" })
        {
            var path = Path.Combine(currentFolder, name);
            if (!File.Exists(path)) continue;
            try
            {
                return TenantSources.FromFile(path);
            }
            catch (TenantSourceException ex)
            {
                throw CommandErrorIds.Terminating(CommandErrorIds.InvalidTenantSource, ex.Message, path, ex);
            }
        }
        throw CommandErrorIds.Terminating(CommandErrorIds.NoTenants,
            $"No tenants: pipe them in (Get-Tenant -Path tenants.json | ...), pass -Tenant, or run where tenants.json or tenants.csv is ({currentFolder}).", currentFolder);
    }
}

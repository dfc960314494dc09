using Microsoft.Data.Sqlite;

namespace TenantMigrations.Engine.Commands;

/// <summary>One SQLite tenant per file, for files a host has already resolved (PowerShell paths and wildcards).</summary>
public static class SqliteFileTenants
{
    /// <summary>The tenant name is the file name without its extension; <paramref name="source"/> is what the user typed.</summary>
    public static IReadOnlyList<Tenant> From(IEnumerable<string> files, string source) => files
        .Select(Path.GetFullPath)
        .Distinct(StringComparer.Ordinal)
        .Order(StringComparer.Ordinal)
        .Select(file => new Tenant
        {
            Name = Path.GetFileNameWithoutExtension(file),
            Engine = DatabaseEngine.Sqlite,
            ConnectionString = new SqliteConnectionStringBuilder { DataSource = file }.ConnectionString,
            Source = source,
        })
        .ToList();
}

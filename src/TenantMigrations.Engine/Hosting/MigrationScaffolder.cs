using System.Globalization;
using System.Text;
using TenantMigrations.Engine.Planning;

namespace TenantMigrations.Engine.Hosting;

/// <summary>New-TenantMigration without PowerShell: V&lt;timestamp&gt;__&lt;slug&gt;.sql files, never overwriting anything.</summary>
public static class MigrationScaffolder
{
    public static IReadOnlyList<string> Create(string folder, string description, IReadOnlyList<DatabaseEngine> engines, bool withUndo, DateTime utcNow)
    {
        var slug = Slug(description);
        if (slug.Length == 0) throw new ArgumentException($"'{description}' has no letters or digits to name a migration with.", nameof(description));
        var version = utcNow.ToUniversalTime().ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
        Directory.CreateDirectory(folder);
        var taken = Directory.EnumerateFiles(folder, $"V{version}__*.sql").FirstOrDefault();
        if (taken is not null) throw CommandErrorIds.Terminating(CommandErrorIds.MigrationFileExists, $"{taken} already uses version {version}; wait a second and try again.", taken);

        var suffixes = engines.Count == 0 ? [""] : engines.Distinct().Select(e => "." + Planner.EngineSuffix(e)).ToArray();
        var files = new List<(string Path, string Content)>();
        foreach (var suffix in suffixes)
        {
            files.Add((Path.Combine(folder, $"V{version}__{slug}{suffix}.sql"), Template("V", version, description, suffix)));
            if (withUndo) files.Add((Path.Combine(folder, $"U{version}__{slug}{suffix}.sql"), Template("U", version, description, suffix)));
        }
        var existing = files.FirstOrDefault(f => File.Exists(f.Path));
        if (existing.Path is not null) throw CommandErrorIds.Terminating(CommandErrorIds.MigrationFileExists, $"{existing.Path} already exists.", existing.Path);
        foreach (var (path, content) in files)
        {
            using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
            using var writer = new StreamWriter(stream, new UTF8Encoding(false));
            writer.Write(content);
        }
        return files.Select(f => f.Path).ToList();
    }

    /// <summary>"Add orders table!" becomes "add_orders_table".</summary>
    public static string Slug(string description)
    {
        var slug = new StringBuilder();
        foreach (var c in description.Trim().ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c)) slug.Append(c);
            else if (slug.Length > 0 && slug[^1] != '_') slug.Append('_');
        }
        return slug.ToString().Trim('_');
    }

    private static string Template(string prefix, string version, string description, string suffix)
    {
        var engine = suffix.Length == 0 ? "every engine without its own variant" : suffix.TrimStart('.');
        var what = prefix == "U" ? "Undo of" : "Migration";
        return $$"""
            -- {{what}} {{version}}: {{description}} (for {{engine}}).
            -- Write the SQL below; the folder will not load while this file is empty (comments alone count as empty).
            -- It runs in one transaction with its journal row; add a first line "-- tm:transaction=false" for statements that cannot.
            -- Placeholders such as ${tenant} and ${schema} are replaced per tenant.

            """;
    }
}

using System.Globalization;
using System.Text;
using TenantMigrations.Engine.Planning;

namespace TenantMigrations.Engine.Commands;

/// <summary>New-TenantMigration without PowerShell: V&lt;timestamp&gt;__&lt;slug&gt;.sql (or typed .json) files, never overwriting anything.</summary>
public static class MigrationScaffolder
{
    /// <summary>
    /// Creates the files. The version is the UTC timestamp; when a migration of the folder already uses it (a second
    /// scaffold within the same second), the next free second is taken, so versions stay unique and in creation order.
    /// </summary>
    public static IReadOnlyList<string> Create(string folder, string description, IReadOnlyList<DatabaseEngine> engines, bool withUndo, DateTime utcNow, bool typed = false)
    {
        var slug = Slug(description);
        if (slug.Length == 0) throw new ArgumentException($"'{description}' has no letters or digits to name a migration with.", nameof(description));
        Directory.CreateDirectory(folder);
        var version = FreeVersion(folder, utcNow.ToUniversalTime());

        var suffixes = engines.Count == 0 ? [""] : engines.Distinct().Select(e => "." + Planner.EngineSuffix(e)).ToArray();
        var files = new List<(string Path, string Content)>();
        foreach (var suffix in suffixes)
        {
            var extension = typed ? ".json" : ".sql";
            files.Add((Path.Combine(folder, $"V{version}__{slug}{suffix}{extension}"), typed ? TypedTemplate("V", version, description) : Template("V", version, description, suffix)));
            if (withUndo) files.Add((Path.Combine(folder, $"U{version}__{slug}{suffix}{extension}"), typed ? TypedTemplate("U", version, description) : Template("U", version, description, suffix)));
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

    private static string FreeVersion(string folder, DateTime utcNow)
    {
        const int maxSecondsAhead = 3600;
        for (var second = 0; second < maxSecondsAhead; second++)
        {
            var version = utcNow.AddSeconds(second).ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
            if (!Directory.EnumerateFiles(folder, $"?{version}__*").Any()) return version;
        }
        throw CommandErrorIds.Terminating(CommandErrorIds.MigrationFileExists, $"Every version of the next hour after {utcNow:u} is taken in {folder}.", folder);
    }

    /// <summary>
    /// "Add orders table!" becomes "add_orders_table". Accented letters lose their accents ("Größe café" becomes
    /// "groesse_cafe"); other letters, in any script, are kept as they are.
    /// </summary>
    public static string Slug(string description)
    {
        var slug = new StringBuilder();
        foreach (var c in Transliterate(description.Trim().ToLowerInvariant()))
        {
            if (char.IsLetterOrDigit(c)) slug.Append(c);
            else if (slug.Length > 0 && slug[^1] != '_') slug.Append('_');
        }
        return slug.ToString().Trim('_');
    }

    private static string Transliterate(string text)
    {
        var plain = new StringBuilder();
        foreach (var c in text.Replace("ä", "ae").Replace("ö", "oe").Replace("ü", "ue").Normalize(NormalizationForm.FormD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark) continue;
            plain.Append(c switch
            {
                'ß' => "ss",
                'æ' => "ae",
                'œ' => "oe",
                'ø' => "o",
                'đ' or 'ð' => "d",
                'ł' => "l",
                'þ' => "th",
                'ı' => "i",
                _ => c.ToString(),
            });
        }
        return plain.ToString().Normalize(NormalizationForm.FormC);
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

    /// <summary>
    /// A typed migration whose example operation is a comment: like the SQL template, the folder does not load until
    /// the author writes the operations, so an unedited scaffold never runs.
    /// </summary>
    public static string TypedTemplate(string prefix, string version, string description)
    {
        var what = prefix == "U" ? "Undo of typed migration" : "Typed migration";
        return $$"""
            {
              // {{what}} {{version}}: {{description.Replace('\n', ' ').Replace('\r', ' ')}}
              // Rendered to each engine's SQL when the folder loads; the journal's checksum is over this file.
              // Operations: createTable, addColumn (optional backfill), dropColumn, renameColumn, createIndex,
              // dropIndex, dropTable, sql. Types: String (with a length), Int, BigInt, Float, Boolean, DateTime, Text, Json.
              // The folder will not load while "operations" is empty. For example:
              //   { "op": "addColumn", "table": "invoices",
              //     "column": { "name": "status", "type": "String", "length": 32, "nullable": false, "default": "open" },
              //     "backfill": { "expression": "'open'", "batchSize": 10000 } }
              // Add "transaction": false to run it outside a transaction (a concurrent index on PostgreSQL).
              "operations": [
              ]
            }

            """;
    }
}

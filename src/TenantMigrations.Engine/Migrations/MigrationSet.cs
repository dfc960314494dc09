using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace TenantMigrations.Engine.Migrations;

/// <summary>A validated migrations folder. Loading it either succeeds whole or throws naming every bad file.</summary>
public sealed partial class MigrationSet
{
    private MigrationSet(string folder, MigrationSettings settings, IReadOnlyList<Migration> versioned, IReadOnlyList<Migration> undo, IReadOnlyList<Migration> repeatable)
    {
        Folder = folder;
        Settings = settings;
        Versioned = versioned;
        Undo = undo;
        Repeatable = repeatable;
    }

    public string Folder { get; }

    public MigrationSettings Settings { get; }

    /// <summary>Versioned migrations, lowest version first.</summary>
    public IReadOnlyList<Migration> Versioned { get; }

    public IReadOnlyList<Migration> Undo { get; }

    /// <summary>Repeatable migrations, ordered by description.</summary>
    public IReadOnlyList<Migration> Repeatable { get; }

    public Migration? FindVersion(MigrationVersion version) => Versioned.FirstOrDefault(m => m.Version!.Equals(version));

    public static MigrationSet Load(string folder)
    {
        var fullFolder = System.IO.Path.GetFullPath(folder);
        if (!Directory.Exists(fullFolder)) throw new MigrationSetException(fullFolder, "the migrations folder does not exist.");
        var settings = MigrationSettings.Load(fullFolder);
        var problems = new List<MigrationSetException>();
        var scripts = new List<MigrationScript>();
        foreach (var path in Directory.EnumerateFiles(fullFolder, "*.sql", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            try
            {
                scripts.Add(ReadScript(path));
            }
            catch (MigrationSetException ex)
            {
                problems.Add(ex);
            }
        }
        var versioned = Group(scripts, MigrationKind.Versioned, problems);
        var undo = Group(scripts, MigrationKind.Undo, problems);
        var repeatable = Group(scripts, MigrationKind.Repeatable, problems);
        foreach (var orphan in undo.Where(u => versioned.All(v => !v.Version!.Equals(u.Version))))
        {
            problems.Add(new MigrationSetException(orphan.Files[0].Path, $"undo script for version {orphan.Version} has no versioned migration V{orphan.Version}."));
        }
        if (problems.Count > 0) throw problems.Count == 1 ? problems[0] : new MigrationSetException(problems);
        return new MigrationSet(fullFolder, settings, versioned, undo, repeatable);
    }

    public static MigrationScript ReadScript(string path)
    {
        var fileName = System.IO.Path.GetFileName(path);
        var match = FileNamePattern().Match(fileName);
        if (!match.Success)
        {
            throw new MigrationSetException(path, "the file name must look like V<version>__<description>.sql, U<version>__<description>.sql or R__<description>.sql (optionally .postgres.sql, .sqlite.sql or .mysql.sql).");
        }
        var kind = match.Groups["prefix"].Value switch
        {
            "V" => MigrationKind.Versioned,
            "U" => MigrationKind.Undo,
            _ => MigrationKind.Repeatable,
        };
        MigrationVersion? version = null;
        var versionText = match.Groups["version"].Value;
        if (kind == MigrationKind.Repeatable)
        {
            if (versionText.Length > 0) throw new MigrationSetException(path, "a repeatable script has no version: name it R__<description>.sql.");
        }
        else if (!MigrationVersion.TryParse(versionText, out version))
        {
            throw new MigrationSetException(path, $"'{versionText}' is not a version: use digits separated by dots or underscores, e.g. V1__init.sql or V1.2__add_orders.sql.");
        }
        var engine = match.Groups["engine"].Success ? ParseEngine(match.Groups["engine"].Value) : (DatabaseEngine?)null;
        var description = match.Groups["description"].Value.Replace('_', ' ').Trim();
        if (description.Length == 0) throw new MigrationSetException(path, "the description after '__' is empty.");

        string content;
        try
        {
            content = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(File.ReadAllBytes(path));
        }
        catch (DecoderFallbackException)
        {
            throw new MigrationSetException(path, "the file is not valid UTF-8: save it as UTF-8.");
        }
        content = NormalizeText(content);
        if (string.IsNullOrWhiteSpace(content)) throw new MigrationSetException(path, "the file is empty.");
        return new MigrationScript
        {
            Path = path,
            FileName = fileName,
            Kind = kind,
            Version = version,
            Description = description,
            Engine = engine,
            Content = content,
            Checksum = ChecksumOf(content),
            Directives = ReadDirectives(path, content),
            Placeholders = Placeholders.NamesIn(content),
        };
    }

    public static string NormalizeText(string content) =>
        content.TrimStart('\uFEFF').Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');

    /// <summary>SHA-256 of the UTF-8 text with line endings normalized, as lowercase hex.</summary>
    public static string ChecksumOf(string content) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(NormalizeText(content)))).ToLowerInvariant();

    private static DatabaseEngine ParseEngine(string suffix) => suffix.ToLowerInvariant() switch
    {
        "postgres" or "postgresql" or "pg" => DatabaseEngine.Postgres,
        "sqlite" => DatabaseEngine.Sqlite,
        _ => DatabaseEngine.MySql,
    };

    private static ScriptDirectives ReadDirectives(string path, string content)
    {
        var directives = ScriptDirectives.Default;
        foreach (var line in content.Split('\n'))
        {
            var trimmed = line.Trim();
            if (trimmed.Length == 0) continue;
            if (!trimmed.StartsWith("--", StringComparison.Ordinal)) break;
            var directive = DirectivePattern().Match(trimmed);
            if (!directive.Success) continue;
            var key = directive.Groups["key"].Value.ToLowerInvariant();
            var value = directive.Groups["value"].Value.Trim().ToLowerInvariant();
            directives = key switch
            {
                "transaction" when value is "true" or "false" => directives with { Transaction = value == "true" },
                "transaction" => throw new MigrationSetException(path, $"tm:transaction must be true or false, not '{value}'."),
                _ => throw new MigrationSetException(path, $"unknown directive 'tm:{key}' (known: tm:transaction=true|false)."),
            };
        }
        return directives;
    }

    private static List<Migration> Group(List<MigrationScript> scripts, MigrationKind kind, List<MigrationSetException> problems)
    {
        var migrations = new List<Migration>();
        foreach (var group in scripts.Where(s => s.Kind == kind).GroupBy(s => s.Key, kind == MigrationKind.Repeatable ? StringComparer.OrdinalIgnoreCase : VersionKeyComparer.Instance))
        {
            var files = group.ToList();
            var clash = files.GroupBy(f => f.Engine).FirstOrDefault(g => g.Count() > 1);
            if (clash is not null)
            {
                var what = kind == MigrationKind.Repeatable ? $"repeatable '{group.Key}'" : $"version {group.Key}";
                problems.Add(new MigrationSetException(clash.ElementAt(1).Path, $"duplicate {what}: also defined by {clash.First().FileName}."));
                continue;
            }
            var plain = files.FirstOrDefault(f => f.Engine is null) ?? files[0];
            migrations.Add(new Migration { Kind = kind, Version = plain.Version, Description = plain.Description, Files = files });
        }
        return kind == MigrationKind.Repeatable
            ? migrations.OrderBy(m => m.Description, StringComparer.OrdinalIgnoreCase).ToList()
            : migrations.OrderBy(m => m.Version).ToList();
    }

    [GeneratedRegex(@"^(?<prefix>[VUR])(?<version>[0-9][0-9._]*?)?__(?<description>.+?)(\.(?<engine>postgres|postgresql|pg|sqlite|mysql|mariadb))?\.sql$", RegexOptions.IgnoreCase)]
    private static partial Regex FileNamePattern();

    [GeneratedRegex(@"^--\s*tm:(?<key>[A-Za-z_\-]+)\s*=\s*(?<value>.*)$")]
    private static partial Regex DirectivePattern();

    /// <summary>Groups "1.0" and "1" together: they are the same version.</summary>
    private sealed class VersionKeyComparer : IEqualityComparer<string>
    {
        public static readonly VersionKeyComparer Instance = new();

        public bool Equals(string? x, string? y) => MigrationVersion.Parse(x!).Equals(MigrationVersion.Parse(y!));

        public int GetHashCode(string obj) => MigrationVersion.Parse(obj).GetHashCode();
    }
}

using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using TenantMigrations.Engine.Dialects;
using TenantMigrations.Engine.Journal;

namespace TenantMigrations.Engine.Migrations;

/// <summary>A validated migrations folder. Loading it either succeeds whole or throws naming every bad file.</summary>
public sealed partial class MigrationSet
{
    private MigrationSet(string folder, MigrationSettings settings, IReadOnlyList<Migration> versioned, IReadOnlyList<Migration> undo, IReadOnlyList<Migration> repeatable, IReadOnlyList<Migration> verify)
    {
        Verify = verify;
        Folder = folder;
        Settings = settings;
        Versioned = versioned;
        Undo = undo;
        Repeatable = repeatable;
        foreach (var migration in versioned) versionIndex.TryAdd(migration.Version!, migration);
    }

    private readonly Dictionary<MigrationVersion, Migration> versionIndex = [];

    // A fleet's journals repeat the same few version texts: each is parsed once per set.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, MigrationVersion> journalVersions = new(StringComparer.Ordinal);

    /// <summary>A version text read from a journal, parsed once per set; throws FormatException as <see cref="MigrationVersion.Parse"/>.</summary>
    public MigrationVersion JournalVersion(string text) => journalVersions.GetOrAdd(text, MigrationVersion.Parse);

    public string Folder { get; }

    public MigrationSettings Settings { get; }

    /// <summary>Versioned migrations, lowest version first.</summary>
    public IReadOnlyList<Migration> Versioned { get; }

    public IReadOnlyList<Migration> Undo { get; }

    /// <summary>Repeatable migrations, ordered by description.</summary>
    public IReadOnlyList<Migration> Repeatable { get; }

    /// <summary>Verify scripts (V&lt;version&gt;__&lt;desc&gt;.verify.sql), lowest version first; each belongs to a versioned migration.</summary>
    public IReadOnlyList<Migration> Verify { get; }

    /// <summary>The verify script of a version, or null when it has none.</summary>
    public Migration? FindVerify(MigrationVersion version) => Verify.FirstOrDefault(m => m.Version!.Equals(version));

    public Migration? FindVersion(MigrationVersion version) => versionIndex.GetValueOrDefault(version);

    public static MigrationSet Load(string folder)
    {
        var fullFolder = System.IO.Path.GetFullPath(folder);
        if (!Directory.Exists(fullFolder)) throw new MigrationSetException(fullFolder, "the migrations folder does not exist.");
        var settings = MigrationSettings.Load(fullFolder);
        var problems = new List<MigrationSetException>();
        var scripts = new List<MigrationScript>();
        var typedFiles = new List<TypedFile>();
        foreach (var path in Directory.EnumerateFiles(fullFolder, "*.json", SqlFiles).Where(IsTypedMigrationName).Order(StringComparer.Ordinal))
        {
            try
            {
                typedFiles.Add(ReadTypedFile(path));
            }
            catch (MigrationSetException ex)
            {
                problems.Add(ex);
            }
        }
        foreach (var path in Directory.EnumerateFiles(fullFolder, "*.sql", SqlFiles).Order(StringComparer.Ordinal))
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
        scripts.AddRange(RenderTypedFiles(typedFiles, scripts, problems));
        var versioned = Group(scripts, MigrationKind.Versioned, problems);
        var undo = Group(scripts, MigrationKind.Undo, problems);
        var repeatable = Group(scripts, MigrationKind.Repeatable, problems);
        var verify = Group(scripts, MigrationKind.Verify, problems);
        foreach (var orphan in undo.Where(u => versioned.All(v => !v.Version!.Equals(u.Version))))
        {
            problems.Add(new MigrationSetException(orphan.Files[0].Path, $"undo script for version {orphan.Version} has no versioned migration V{orphan.Version}."));
        }
        foreach (var orphan in verify.Where(c => versioned.All(v => !v.Version!.Equals(c.Version))))
        {
            problems.Add(new MigrationSetException(orphan.Files[0].Path, $"verify script for version {orphan.Version} has no versioned migration V{orphan.Version}."));
        }
        if (problems.Count > 0) throw problems.Count == 1 ? problems[0] : new MigrationSetException(problems);
        return new MigrationSet(fullFolder, settings, versioned, undo, repeatable, verify);
    }

    /// <summary>Every name ending in .sql in any case: a file that looks like a migration is never skipped in silence.</summary>
    private static readonly EnumerationOptions SqlFiles = new()
    {
        RecurseSubdirectories = true,
        MatchCasing = MatchCasing.CaseInsensitive,
        MatchType = MatchType.Simple,
        AttributesToSkip = 0,
        IgnoreInaccessible = false,
    };

    /// <summary>Reads and checks one file; throws a <see cref="MigrationSetException"/> naming it at the first problem.</summary>
    public static MigrationScript ReadScript(string path)
    {
        var fileName = System.IO.Path.GetFileName(path);
        var (kind, version, description, engine) = ParseName(path, fileName);

        if (FileKinds.NotRegularFileReason(path) is { } notRegular) throw new MigrationSetException(path, $"not read: {notRegular}");
        var content = ScriptText.Decode(path, File.ReadAllBytes(path));
        if (string.IsNullOrWhiteSpace(content)) throw new MigrationSetException(path, "empty migration: the file is empty.");
        var directives = ScriptDirectiveReader.Read(path, content);
        if (SplittersFor(engine).Any(s => s.Split(content).Count == 0))
        {
            throw new MigrationSetException(path, "empty migration: the file holds only comments. Write the SQL, or delete the file.");
        }
        if (directives.Transaction && engine != DatabaseEngine.MySql && TransactionControl.FindFirst(content, engine) is { } control)
        {
            throw new MigrationSetException(path, $"line {control.Line}: {TransactionControl.Describe(control)} is transaction control, but this file runs inside the tool's own transaction, so it would commit or end part of the migration. Add '-- tm:transaction=false' as the first line to run the file without a transaction, or remove the statement.");
        }
        if (Placeholders.UnknownFormsIn(content) is [var unknownForm, ..])
        {
            throw new MigrationSetException(path, $"placeholder {unknownForm} has an unknown form: use ${{name}}, ${{name:literal}}, ${{name:identifier}} or ${{name:raw}}.");
        }
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
            Directives = directives,
            Placeholders = Placeholders.NamesIn(content),
        };
    }

    /// <summary>Kind, version, description and engine of a migration file's name; throws naming the file when the name is wrong.</summary>
    private static (MigrationKind Kind, MigrationVersion? Version, string Description, DatabaseEngine? Engine) ParseName(string path, string fileName)
    {
        var match = FileNamePattern().Match(fileName);
        if (!match.Success)
        {
            throw new MigrationSetException(path, "the file name must look like V<version>__<description>.sql, V<version>__<description>.verify.sql, U<version>__<description>.sql or R__<description>.sql (optionally .postgres.sql, .sqlite.sql or .mysql.sql; a typed migration ends in .json instead of .sql).");
        }
        var prefix = match.Groups["prefix"].Value;
        if (!string.Equals(prefix, prefix.ToUpperInvariant(), StringComparison.Ordinal))
        {
            throw new MigrationSetException(path, $"the prefix must be an upper-case V, U or R: name it {prefix.ToUpperInvariant()}{fileName[1..]}.");
        }
        var verifies = match.Groups["verify"].Success;
        if (verifies && prefix != "V") throw new MigrationSetException(path, "only a versioned migration has a verify script: name it V<version>__<description>.verify.sql.");
        var kind = prefix switch
        {
            "V" when verifies => MigrationKind.Verify,
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
        CheckJournalLimits(path, fileName, version, description);

        return (kind, version, description, engine);
    }

    /// <summary>The journal's columns have fixed widths; checked here once, so no engine fails on a long value mid-run.</summary>
    private static void CheckJournalLimits(string path, string fileName, MigrationVersion? version, string description)
    {
        if (version is not null && version.Text.Length > JournalColumns.MaxVersionLength)
        {
            throw new MigrationSetException(path, $"the version is {version.Text.Length} characters long; the journal holds versions of at most {JournalColumns.MaxVersionLength}.");
        }
        if (description.Length > JournalColumns.MaxDescriptionLength)
        {
            throw new MigrationSetException(path, $"the description is {description.Length} characters long; the journal holds descriptions of at most {JournalColumns.MaxDescriptionLength}.");
        }
        if (fileName.Length > JournalColumns.MaxScriptNameLength)
        {
            throw new MigrationSetException(path, $"the file name is {fileName.Length} characters long; the journal holds file names of at most {JournalColumns.MaxScriptNameLength}.");
        }
    }

    /// <summary>The splitters of the engines a file runs on: its variant's engine, or all three for a plain file.</summary>
    private static SqlStatementSplitter[] SplittersFor(DatabaseEngine? engine) => engine switch
    {
        DatabaseEngine.Postgres => [SqlStatementSplitter.Postgres],
        DatabaseEngine.Sqlite => [SqlStatementSplitter.Sqlite],
        DatabaseEngine.MySql => [SqlStatementSplitter.MySql],
        _ => [SqlStatementSplitter.Postgres, SqlStatementSplitter.MySql, SqlStatementSplitter.Sqlite],
    };

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

    [GeneratedRegex(@"^(?<prefix>[VUR])(?<version>[0-9][0-9._]*?)?__(?<description>.+?)(?<verify>\.verify)?(\.(?<engine>postgres|postgresql|pg|sqlite|mysql|mariadb))?\.(sql|json)$", RegexOptions.IgnoreCase)]
    private static partial Regex FileNamePattern();

    /// <summary>Groups "1.0" and "1" together: they are the same version.</summary>
    private sealed class VersionKeyComparer : IEqualityComparer<string>
    {
        public static readonly VersionKeyComparer Instance = new();

        public bool Equals(string? x, string? y) => MigrationVersion.Parse(x!).Equals(MigrationVersion.Parse(y!));

        public int GetHashCode(string obj) => MigrationVersion.Parse(obj).GetHashCode();
    }
}

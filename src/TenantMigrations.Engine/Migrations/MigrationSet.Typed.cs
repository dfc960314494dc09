using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using TenantMigrations.Engine.Dialects;
using TenantMigrations.Engine.Schema.Typed;

namespace TenantMigrations.Engine.Migrations;

/// <summary>
/// Typed (.json) migrations: each is read once and rendered per engine into a <see cref="MigrationScript"/> of that
/// engine, whose content is the rendered SQL and whose checksum is over the typed file's text. Files render in version
/// order against what the folder's earlier typed migrations built, so a rebuild or a batched backfill knows the table.
/// </summary>
public sealed partial class MigrationSet
{
    private static readonly DatabaseEngine[] TypedEngines = [DatabaseEngine.Postgres, DatabaseEngine.MySql, DatabaseEngine.Sqlite];

    private sealed record TypedFile(string Path, string FileName, MigrationKind Kind, MigrationVersion? Version, string Description, DatabaseEngine? Engine, string Text, TypedMigration Migration)
    {
    }

    /// <summary>Only names shaped like a migration are typed migrations: the settings file and other JSON in the folder are not.</summary>
    private static bool IsTypedMigrationName(string path) => TypedNamePattern().IsMatch(System.IO.Path.GetFileName(path));

    private static TypedFile ReadTypedFile(string path)
    {
        var fileName = System.IO.Path.GetFileName(path);
        var (kind, version, description, engine) = ParseName(path, fileName);
        if (kind is MigrationKind.Verify) throw new MigrationSetException(path, "a verify script is SQL: name it V<version>__<description>.verify.sql.");
        if (FileKinds.NotRegularFileReason(path) is { } notRegular) throw new MigrationSetException(path, $"not read: {notRegular}");
        var text = ScriptText.Decode(path, File.ReadAllBytes(path));
        if (string.IsNullOrWhiteSpace(text)) throw new MigrationSetException(path, "empty migration: the file is empty.");
        return new TypedFile(path, fileName, kind, version, description, engine, text, TypedMigrationReader.Read(path, text));
    }

    private static List<MigrationScript> RenderTypedFiles(List<TypedFile> files, List<MigrationScript> sqlScripts, List<MigrationSetException> problems)
    {
        var rendered = new List<MigrationScript>();
        if (files.Count == 0) return rendered;
        var variants = sqlScripts.Where(s => s.Engine is not null).Select(s => (s.Kind, Key: KeyOf(s.Version, s.Description), s.Engine!.Value))
            .Concat(files.Where(f => f.Engine is not null).Select(f => (f.Kind, Key: KeyOf(f.Version, f.Description), f.Engine!.Value)))
            .ToHashSet();
        var dialects = DialectRegistry.CreateDefault();
        var failedFiles = new HashSet<string>(StringComparer.Ordinal);
        var ordered = files.OrderBy(f => f.Kind == MigrationKind.Repeatable ? 1 : 0).ThenBy(f => f.Version).ThenBy(f => f.Kind == MigrationKind.Undo ? 1 : 0).ToList();
        foreach (var engine in TypedEngines)
        {
            var dialect = dialects.For(engine);
            var projection = new TypedSchemaProjection(dialect.SchemaRenderer);
            foreach (var file in ordered)
            {
                if (file.Engine is { } only ? only != engine : variants.Contains((file.Kind, KeyOf(file.Version, file.Description), engine))) continue;
                try
                {
                    rendered.Add(Render(file, engine, dialect, projection));
                }
                catch (MigrationSetException ex)
                {
                    if (failedFiles.Add(file.Path)) problems.Add(ex);
                }
            }
        }
        return rendered;
    }

    /// <summary>A version ("1" and "1.0" alike), or a repeatable's description in any case.</summary>
    private static object KeyOf(MigrationVersion? version, string description) => version ?? (object)description.ToUpperInvariant();

    /// <summary>Renders one file for one engine; a versioned file's operations then enter the projection that later files render against.</summary>
    private static MigrationScript Render(TypedFile file, DatabaseEngine engine, IDatabaseDialect dialect, TypedSchemaProjection projection, bool checksumOverSql = false)
    {
        var inTransaction = file.Migration.Transaction && dialect.SupportsTransactionalDdl;
        var content = new StringBuilder($"-- {file.FileName} rendered for {engine.ToString().ToLowerInvariant()}; the journal's checksum is the typed file's.\n");
        var index = 0;
        foreach (var operation in file.Migration.Operations)
        {
            index++;
            IReadOnlyList<string> statements;
            try
            {
                statements = dialect.SchemaRenderer.Render(operation, projection, inTransaction);
            }
            catch (Exception ex) when (ex is SchemaRenderException or InvalidIdentifierException)
            {
                throw new MigrationSetException(file.Path, $"operation {index} ({operation.Name}) cannot run on {engine}: {ex.Message}");
            }
            content.Append(CultureInfo.InvariantCulture, $"\n-- operation {index}: {operation.Name}\n");
            foreach (var statement in statements) content.Append(dialect.ScriptStatement(statement)).Append('\n');
            if (file.Kind == MigrationKind.Versioned) projection.Apply(operation);
        }
        var sql = content.ToString();
        if (inTransaction && TransactionControl.FindFirst(sql, engine) is { } control)
        {
            throw new MigrationSetException(file.Path, $"its SQL for {engine} holds {TransactionControl.Describe(control)}, transaction control, but the file runs inside the tool's own transaction. Set \"transaction\": false, or remove the statement.");
        }
        if (Placeholders.UnknownFormsIn(sql) is [var unknownForm, ..])
        {
            throw new MigrationSetException(file.Path, $"placeholder {unknownForm} has an unknown form: use ${{name}}, ${{name:literal}}, ${{name:identifier}} or ${{name:raw}}.");
        }
        return new MigrationScript
        {
            Path = file.Path,
            FileName = file.FileName,
            Kind = file.Kind,
            Version = file.Version,
            Description = file.Description,
            Engine = engine,
            Content = sql,
            Checksum = ChecksumOf(checksumOverSql ? sql : file.Text),
            Directives = new ScriptDirectives(file.Migration.Transaction),
            Placeholders = Placeholders.NamesIn(sql),
            Typed = file.Migration,
        };
    }

    /// <summary>
    /// A one-migration set for typed operations an application runs at runtime on one engine: a repeatable whose
    /// description is unique, so it runs once and its journal row stays beside the folder's migrations without being
    /// mistaken for one of them. Its checksum is over the rendered SQL, since there is no file. The tenant's own
    /// folder comes along, so its journal reads as it does to a plain migrate.
    /// </summary>
    internal static MigrationSet ForRuntime(TypedMigration migration, string description, IDatabaseDialect dialect, MigrationSet? folder, TypedSchemaProjection? model)
    {
        var file = new TypedFile("runtime", description, MigrationKind.Repeatable, null, description, dialect.Engine, "", migration);
        CheckJournalLimits(file.Path, file.FileName, null, description);
        var script = Render(file, dialect.Engine, dialect, model ?? new TypedSchemaProjection(dialect.SchemaRenderer), checksumOverSql: true);
        var repeatable = new Migration { Kind = MigrationKind.Repeatable, Description = description, Files = [script] };
        return folder is null
            ? new MigrationSet("(runtime)", new MigrationSettings(), [], [], [repeatable], [])
            : new MigrationSet(folder.Folder, folder.Settings, folder.Versioned, folder.Undo, [.. folder.Repeatable, repeatable], folder.Verify);
    }

    [GeneratedRegex(@"^[VUR][0-9._]*__.+\.json$", RegexOptions.IgnoreCase)]
    private static partial Regex TypedNamePattern();
}

using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace TenantMigrations.Cli;

/// <summary>tenantmigrations new: scaffolds V&lt;UTC timestamp&gt;__&lt;slug&gt;.sql (and its undo script and engine variants).</summary>
public static partial class NewCommand
{
    private static readonly string[] VersionAndUndo = ["V", "U"];
    private static readonly string[] VersionOnly = ["V"];

    public static Command Create()
    {
        var description = new Argument<string>("description") { Description = "What the migration does, e.g. \"add orders table\"." };
        var migrations = FleetOptions.MigrationsOption();
        var undo = new Option<bool>("--undo") { Description = "Also create the undo script U<version>__<slug>.sql." };
        var engine = new Option<string[]>("--engine")
        {
            Description = "Create the engine variant <name>.<engine>.sql instead of the plain file. Repeatable (same version for each).",
            HelpName = "postgres|sqlite|mysql",
        };
        engine.AcceptOnlyFromAmong("postgres", "sqlite", "mysql");
        var typed = new Option<bool>("--typed") { Description = "Create a typed migration (.json): operations rendered to each engine's SQL." };

        var command = new Command("new", "Scaffold a new migration file named after the current UTC time.");
        command.Arguments.Add(description);
        command.Options.Add(migrations);
        command.Options.Add(undo);
        command.Options.Add(engine);
        command.Options.Add(typed);
        command.SetAction((parseResult, _) => CliApp.RunAsync(json: false, console =>
        {
            var text = parseResult.GetValue(description) ?? "";
            var slug = SlugOf(text);
            if (slug.Length == 0) throw new UsageException($"the description '{text}' has no letter or digit to name the file with.");
            var folder = Path.GetFullPath(parseResult.GetValue(migrations)!);
            Directory.CreateDirectory(folder);
            var engines = (parseResult.GetValue(engine) ?? []).Distinct().Select(e => "." + e).DefaultIfEmpty("").ToList();
            var prefixes = parseResult.GetValue(undo) ? VersionAndUndo : VersionOnly;

            // A second 'new' within the same second must not reuse a version another migration already has.
            var version = DateTime.UtcNow;
            while (Directory.EnumerateFiles(folder, $"?{Stamp(version)}__*").Any(f => !Path.GetFileName(f).Contains($"__{slug}.", StringComparison.Ordinal)))
            {
                version = version.AddSeconds(1);
            }
            var isTyped = parseResult.GetValue(typed);
            var paths = prefixes.SelectMany(p => engines.Select(e => Path.Combine(folder, $"{p}{Stamp(version)}__{slug}{e}{(isTyped ? ".json" : ".sql")}"))).ToList();
            var existing = paths.FirstOrDefault(File.Exists);
            if (existing is not null) throw new UsageException($"{existing} already exists; not overwriting it.");
            foreach (var path in paths)
            {
                var isUndo = Path.GetFileName(path).StartsWith('U');
                var content = isTyped ? Engine.Commands.MigrationScaffolder.TypedTemplate(isUndo ? "U" : "V", Stamp(version), text.Trim()) : new StringBuilder()
                    .Append("-- ").Append(isUndo ? "Undo: " : "").Append(text.Trim()).Append('\n')
                    .Append("-- Created ").Append(version.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)).Append(" UTC by tenantmigrations new.\n")
                    .Append(isUndo ? "-- Write the SQL that reverts the matching V script.\n" : "-- Write the migration SQL below. Add a first line '-- tm:transaction=false' for statements that cannot run in a transaction.\n")
                    .Append('\n')
                    .ToString();
                using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
                using (var writer = new StreamWriter(stream, new UTF8Encoding(false)))
                {
                    writer.Write(content);
                }
                console.Out(path);
            }
            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }

    private static string Stamp(DateTime utc) => utc.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);

    /// <summary>"Add Orders table!" → "add_orders_table".</summary>
    public static string SlugOf(string description) =>
        NonWord().Replace(description.Normalize(NormalizationForm.FormKD).ToLowerInvariant(), "_").Trim('_');

    [GeneratedRegex(@"[^a-z0-9]+")]
    private static partial Regex NonWord();
}

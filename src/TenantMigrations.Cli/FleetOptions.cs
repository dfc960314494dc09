using System.CommandLine;
using System.Text.RegularExpressions;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Planning;
using TenantMigrations.Engine.Tenants;

namespace TenantMigrations.Cli;

/// <summary>The options shared by status, migrate and export: tenant selection, migrations folder, planning.</summary>
public sealed class FleetOptions
{
    public Option<string[]> Tenants { get; } = new("--tenants")
    {
        Description = "A tenants file (.json or .csv). Repeatable.",
        HelpName = "file",
        AllowMultipleArgumentsPerToken = true,
    };

    public Option<string[]> Sqlite { get; } = new("--sqlite")
    {
        Description = "A glob of SQLite files, one tenant per file (e.g. 'tenants/*.db'). Repeatable.",
        HelpName = "glob",
        AllowMultipleArgumentsPerToken = true,
    };

    public Option<string?> Pg { get; } = new("--pg")
    {
        Description = "A PostgreSQL connection string: one tenant per schema matching --schema-like.",
        HelpName = "conn",
    };

    public Option<string?> SchemaLike { get; } = new("--schema-like")
    {
        Description = "LIKE pattern of the tenant schemas for --pg (default: schemaPattern of the migrations settings).",
        HelpName = "pattern",
    };

    public Option<string[]> Name { get; } = new("--name")
    {
        Description = "Keep only tenants whose name matches this wildcard (* and ?). Repeatable.",
        HelpName = "wildcard",
    };

    public Option<string[]> Tag { get; } = new("--tag")
    {
        Description = "Keep only tenants carrying this tag (any of the given tags). Repeatable.",
        HelpName = "tag",
    };

    public Option<string> Migrations { get; } = MigrationsOption();

    public Option<int> Throttle { get; } = new("--throttle")
    {
        Description = "How many tenants run at once.",
        HelpName = "n",
        DefaultValueFactory = _ => 4,
    };

    public Option<string?> Target { get; } = new("--target")
    {
        Description = "Stop at this version (inclusive).",
        HelpName = "version",
    };

    public Option<bool> AllowOutOfOrder { get; } = new("--allow-out-of-order")
    {
        Description = "Apply pending versions lower than the highest applied one instead of blocking the tenant.",
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Write JSON lines (one object per line, each with a \"type\") instead of text.",
    };

    public Option<double?> ConnectTimeout { get; } = SecondsOption("--connect-timeout",
        "Seconds opening a connection may take before the tenant is retried or reported Unreachable (default: the driver's).", TimeSpan.FromHours(1));

    public Option<double?> CommandTimeout { get; } = SecondsOption("--command-timeout",
        "Seconds one statement may run (default: 30 for the tool's own queries, no limit for migration statements).", TimeSpan.FromDays(1));

    public FleetOptions()
    {
        Throttle.CustomParser = r =>
        {
            var text = r.Tokens.Count == 1 ? r.Tokens[0].Value : "";
            if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value >= 1) return value;
            r.AddError($"--throttle must be a whole number of at least 1, not '{text}'.");
            return 0;
        };
        Target.Validators.Add(r =>
        {
            var text = r.GetValueOrDefault<string?>();
            if (!MigrationVersion.TryParse(text, out _)) r.AddError($"--target '{text}' is not a version: use digits separated by dots, e.g. 1, 1.2 or 20261121093000.");
        });
    }

    public static Option<string> MigrationsOption() => new("--migrations")
    {
        Description = "The migrations folder.",
        HelpName = "dir",
        DefaultValueFactory = _ => "migrations",
    };

    /// <summary>A number of seconds, greater than 0 and at most <paramref name="max"/>; absent means the default.</summary>
    public static Option<double?> SecondsOption(string name, string description, TimeSpan max)
    {
        var option = new Option<double?>(name) { Description = description, HelpName = "seconds" };
        option.CustomParser = r =>
        {
            var text = r.Tokens.Count == 1 ? r.Tokens[0].Value : "";
            if (double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value)
                && value > 0 && value <= max.TotalSeconds)
            {
                return value;
            }
            r.AddError($"{name} must be a number of seconds greater than 0 and at most {max.TotalSeconds:0}, not '{text}'.");
            return null;
        };
        return option;
    }

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Tenants, Sqlite, Pg, SchemaLike, Name, Tag, Migrations, Throttle, Target, AllowOutOfOrder, Json })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>Adds --connect-timeout and --command-timeout, for the commands that connect with <see cref="Limits"/>.</summary>
    public void AddLimitsTo(Command command)
    {
        command.Options.Add(ConnectTimeout);
        command.Options.Add(CommandTimeout);
    }

    public ConnectionLimits Limits(ParseResult parseResult) => new()
    {
        ConnectTimeout = parseResult.GetValue(ConnectTimeout) is { } connect ? TimeSpan.FromSeconds(connect) : null,
        CommandTimeout = parseResult.GetValue(CommandTimeout) is { } command ? TimeSpan.FromSeconds(command) : null,
    };

    public bool IsJson(ParseResult parseResult) => parseResult.GetValue(Json);

    public MigrationSet LoadMigrations(ParseResult parseResult) => MigrationSet.Load(parseResult.GetValue(Migrations)!);

    public PlanOptions PlanOptions(ParseResult parseResult) => new()
    {
        TargetVersion = parseResult.GetValue(Target) is { } target ? MigrationVersion.Parse(target) : null,
        AllowOutOfOrder = parseResult.GetValue(AllowOutOfOrder),
    };

    /// <summary>Reads every tenant source given, applies the --name and --tag filters, and checks the result is usable.</summary>
    public async Task<IReadOnlyList<Tenant>> SelectTenantsAsync(ParseResult parseResult, MigrationSet set, CliConsole console, CancellationToken cancellationToken)
    {
        var files = parseResult.GetValue(Tenants) ?? [];
        var globs = parseResult.GetValue(Sqlite) ?? [];
        var pg = parseResult.GetValue(Pg);
        var schemaLike = parseResult.GetValue(SchemaLike);
        console.AddSecretsOf(pg);
        if (files.Length == 0 && globs.Length == 0 && pg is null)
        {
            throw new UsageException("choose the tenants with --tenants <file>, --sqlite <glob> or --pg <conn> --schema-like <pattern>.");
        }
        if (schemaLike is not null && pg is null) throw new UsageException("--schema-like needs --pg <conn>.");

        var tenants = new List<Tenant>();
        foreach (var file in files) tenants.AddRange(TenantSources.FromFile(file));
        foreach (var glob in globs)
        {
            var found = TenantSources.FromSqliteGlob(glob);
            if (found.Count == 0) console.Error($"warning: --sqlite '{glob}' matched no file.");
            tenants.AddRange(found);
        }
        if (pg is not null)
        {
            if (string.IsNullOrWhiteSpace(pg)) throw new UsageException("--pg needs a connection string.");
            var pattern = schemaLike ?? set.Settings.SchemaPattern
                ?? throw new UsageException($"--pg needs --schema-like <pattern> (or \"schemaPattern\" in {Path.Combine(set.Folder, MigrationSettings.FileName)}).");
            tenants.AddRange(await TenantSources.FromPostgresSchemasAsync(pg, pattern, onRetry: message => console.Error($"warning: {message}"), limits: Limits(parseResult), cancellationToken: cancellationToken).ConfigureAwait(false));
        }
        foreach (var tenant in tenants) console.AddSecretsOf(tenant.GetConnectionString());

        var names = (parseResult.GetValue(Name) ?? []).Select(WildcardRegex).ToList();
        var tags = parseResult.GetValue(Tag) ?? [];
        var selected = tenants
            .Where(t => names.Count == 0 || names.Any(n => n.IsMatch(t.Name)))
            .Where(t => tags.Length == 0 || t.Tags.Any(tag => tags.Contains(tag, StringComparer.OrdinalIgnoreCase)))
            .ToList();
        if (selected.Count == 0)
        {
            throw new UsageException(tenants.Count == 0 ? "no tenant found in the given sources." : $"none of the {tenants.Count} tenants found matches --name/--tag.");
        }
        var duplicate = selected.GroupBy(t => t.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new UsageException($"tenant '{duplicate.Key}' is selected {duplicate.Count()} times ({string.Join("; ", duplicate.Select(t => t.Source))}): tenant names must be unique.");
        }
        return selected;
    }

    /// <summary>
    /// The engine's glob finds nothing for a plain file path (no wildcard): its root search stops at the file itself.
    /// Work around it by globbing the file's folder and keeping that one file.
    /// </summary>
    private static Regex WildcardRegex(string wildcard) =>
        new("^" + Regex.Escape(wildcard).Replace(@"\*", ".*").Replace(@"\?", ".") + "$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
}

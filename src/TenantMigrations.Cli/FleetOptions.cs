using System.CommandLine;
using System.Text.RegularExpressions;
using TenantMigrations.Engine.Commands;
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
        Description = "A PostgreSQL connection string: one tenant per schema matching --schema-like, or per database matching --database-like.",
        HelpName = "conn",
    };

    public Option<string?> SchemaLike { get; } = new("--schema-like")
    {
        Description = "LIKE pattern of the tenant schemas for --pg (default: schemaPattern of the migrations settings).",
        HelpName = "pattern",
    };

    public Option<string?> MySql { get; } = new("--mysql")
    {
        Description = "A MySQL/MariaDB connection string: one tenant per database matching --database-like, each connecting with these credentials.",
        HelpName = "conn",
    };

    public Option<string?> DatabaseLike { get; } = new("--database-like")
    {
        Description = "LIKE pattern of the tenant databases for --pg or --mysql (e.g. 'tenant_%'); sent to the server as a parameter.",
        HelpName = "pattern",
    };

    public Option<string?> Catalog { get; } = new("--catalog")
    {
        Description = "A catalog database's connection string: --query lists the tenants (columns name, engine, connectionString, schema, tags, and properties).",
        HelpName = "conn",
    };

    public Option<string?> Query { get; } = new("--query")
    {
        Description = "The SQL that lists the tenants in the --catalog database.",
        HelpName = "sql",
    };

    public Option<string?> CatalogEngine { get; } = new("--catalog-engine")
    {
        Description = "The engine of the --catalog database: postgres (default), mysql or sqlite.",
        HelpName = "engine",
    };

    public Option<string?> PasswordColumn { get; } = new("--password-column")
    {
        Description = "A --query column holding each tenant's password, AES-256-CBC encrypted (base64 of a 16-byte IV and the ciphertext).",
        HelpName = "column",
    };

    public Option<string?> PasswordKeyEnv { get; } = new("--password-key-env")
    {
        Description = "The environment variable holding the 32-byte key of --password-column, as base64 or hex (the key itself is never an argument).",
        HelpName = "variable",
    };

    public Option<string[]> Exclude { get; } = new("--exclude")
    {
        Description = "Leave out tenants whose name matches this wildcard or that carry this tag. Repeatable.",
        HelpName = "name|tag",
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
        AddSourcesTo(command);
        foreach (var option in new Option[] { Migrations, Throttle, Target, AllowOutOfOrder, Json })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The tenant selection options, read by <see cref="SelectTenantsAsync"/>: every fleet verb adds them all.</summary>
    public void AddSourcesTo(Command command)
    {
        foreach (var option in new Option[] { Tenants, Sqlite, Pg, SchemaLike, MySql, DatabaseLike, Catalog, Query, CatalogEngine, PasswordColumn, PasswordKeyEnv, Name, Tag, Exclude })
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

    /// <summary>
    /// Reads every tenant source given, applies the --name, --tag and --exclude filters, resolves the credentials,
    /// and checks the result is usable.
    /// </summary>
    public async Task<IReadOnlyList<Tenant>> SelectTenantsAsync(ParseResult parseResult, MigrationSet set, CliConsole console, CancellationToken cancellationToken)
    {
        var files = parseResult.GetValue(Tenants) ?? [];
        var globs = parseResult.GetValue(Sqlite) ?? [];
        var pg = parseResult.GetValue(Pg);
        var mysql = parseResult.GetValue(MySql);
        var catalog = parseResult.GetValue(Catalog);
        var schemaLike = parseResult.GetValue(SchemaLike);
        var databaseLike = parseResult.GetValue(DatabaseLike);
        console.AddSecretsOf(pg);
        console.AddSecretsOf(mysql);
        console.AddSecretsOf(catalog);
        if (files.Length == 0 && globs.Length == 0 && pg is null && mysql is null && catalog is null)
        {
            throw new UsageException("choose the tenants with --tenants <file>, --sqlite <glob>, --pg <conn> --schema-like|--database-like <pattern>, --mysql <conn> --database-like <pattern> or --catalog <conn> --query <sql>.");
        }
        if (schemaLike is not null && pg is null) throw new UsageException("--schema-like needs --pg <conn>.");
        if (schemaLike is not null && databaseLike is not null) throw new UsageException("--pg discovers schemas (--schema-like) or databases (--database-like), not both.");
        if (databaseLike is not null && pg is null && mysql is null) throw new UsageException("--database-like needs --pg <conn> or --mysql <conn>.");
        if (mysql is not null && databaseLike is null) throw new UsageException("--mysql needs --database-like <pattern> (e.g. 'tenant_%').");
        if ((catalog is null) != (parseResult.GetValue(Query) is null)) throw new UsageException("--catalog <conn> and --query <sql> go together.");
        if (catalog is null && (parseResult.GetValue(CatalogEngine) ?? parseResult.GetValue(PasswordColumn) ?? parseResult.GetValue(PasswordKeyEnv)) is not null)
        {
            throw new UsageException("--catalog-engine, --password-column and --password-key-env need --catalog <conn> --query <sql>.");
        }
        if ((parseResult.GetValue(PasswordColumn) is null) != (parseResult.GetValue(PasswordKeyEnv) is null))
        {
            throw new UsageException("--password-column <column> and --password-key-env <variable> go together.");
        }

        void Warn(string message) => console.Error($"warning: {message}");
        var limits = Limits(parseResult);
        var tenants = new List<Tenant>();
        foreach (var file in files) tenants.AddRange(TenantSources.FromFile(file));
        foreach (var glob in globs)
        {
            var found = TenantSources.FromSqliteGlob(glob);
            if (found.Count == 0) console.Error($"warning: --sqlite '{glob}' matched no file.");
            tenants.AddRange(found);
        }
        if (pg is not null && databaseLike is null)
        {
            if (string.IsNullOrWhiteSpace(pg)) throw new UsageException("--pg needs a connection string.");
            var pattern = schemaLike ?? set.Settings.SchemaPattern
                ?? throw new UsageException($"--pg needs --schema-like <pattern> or --database-like <pattern> (or \"schemaPattern\" in {Path.Combine(set.Folder, MigrationSettings.FileName)}).");
            tenants.AddRange(await TenantSources.FromPostgresSchemasAsync(pg, pattern, onRetry: Warn, limits: limits, cancellationToken: cancellationToken).ConfigureAwait(false));
        }
        if (pg is not null && databaseLike is not null)
        {
            tenants.AddRange(await DatabaseDiscovery.FromPostgresAsync(pg, databaseLike, Warn, limits, cancellationToken).ConfigureAwait(false));
        }
        if (mysql is not null)
        {
            tenants.AddRange(await DatabaseDiscovery.FromMySqlAsync(mysql, databaseLike!, Warn, limits, cancellationToken).ConfigureAwait(false));
        }
        if (catalog is not null)
        {
            var query = new TenantQuery
            {
                Source = TenantSourceKind.CatalogQuery,
                Location = catalog,
                Query = parseResult.GetValue(Query),
                CatalogEngine = parseResult.GetValue(CatalogEngine) is { } engine ? ParseCatalogEngine(engine) : DatabaseEngine.Postgres,
                PasswordColumn = parseResult.GetValue(PasswordColumn),
                PasswordKeyVariable = parseResult.GetValue(PasswordKeyEnv),
            };
            tenants.AddRange(await query.RunAsync(Directory.GetCurrentDirectory(), Warn, limits, cancellationToken).ConfigureAwait(false));
        }
        var noSecretStore = new TenantSecrets.Unsupported("the command line has no secret store; use PowerShell (Get-Secret) or --password-column.");
        tenants = tenants.Select(t => TenantSecrets.Resolve(t, noSecretStore)).ToList();
        foreach (var tenant in tenants) console.AddSecretsOf(tenant.GetConnectionString());

        var names = (parseResult.GetValue(Name) ?? []).Select(WildcardRegex).ToList();
        var tags = parseResult.GetValue(Tag) ?? [];
        var excluded = Engine.Rollouts.TenantFilter.NameOrTag(parseResult.GetValue(Exclude) ?? []);
        var selected = tenants
            .Where(t => names.Count == 0 || names.Any(n => n.IsMatch(t.Name)))
            .Where(t => tags.Length == 0 || t.Tags.Any(tag => tags.Contains(tag, StringComparer.OrdinalIgnoreCase)))
            .Where(t => excluded.IsEmpty || !excluded.Matches(t))
            .ToList();
        if (selected.Count == 0)
        {
            throw new UsageException(tenants.Count == 0 ? "no tenant found in the given sources." : $"none of the {tenants.Count} tenants found matches --name/--tag/--exclude.");
        }
        var duplicate = selected.GroupBy(t => t.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new UsageException($"tenant '{duplicate.Key}' is selected {duplicate.Count()} times ({string.Join("; ", duplicate.Select(t => t.Source))}): tenant names must be unique.");
        }
        foreach (var tenant in selected.Where(t => t.CredentialProblem is not null)) Warn($"tenant '{tenant.Name}': {tenant.CredentialProblem}");
        return selected;
    }

    private static DatabaseEngine ParseCatalogEngine(string text)
    {
        try
        {
            return TenantSources.ParseEngine(text, "--catalog-engine");
        }
        catch (TenantSourceException ex)
        {
            throw new UsageException(ex.Message);
        }
    }

    /// <summary>
    /// The engine's glob finds nothing for a plain file path (no wildcard): its root search stops at the file itself.
    /// Work around it by globbing the file's folder and keeping that one file.
    /// </summary>
    private static Regex WildcardRegex(string wildcard) =>
        new("^" + Regex.Escape(wildcard).Replace(@"\*", ".*").Replace(@"\?", ".") + "$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
}

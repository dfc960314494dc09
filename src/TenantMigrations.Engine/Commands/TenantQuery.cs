using System.Text;
using System.Text.RegularExpressions;
using TenantMigrations.Engine.Tenants;

namespace TenantMigrations.Engine.Commands;

/// <summary>Where Get-Tenant reads tenants from.</summary>
public enum TenantSourceKind
{
    File,
    SqliteGlob,
    SqliteFiles,
    PostgresSchemas,
    CatalogQuery,
    PostgresDatabases,
    MySqlDatabases,
}

/// <summary>Get-Tenant without PowerShell: read one source, then filter by name patterns, tags and exclusions.</summary>
public sealed record TenantQuery
{
    public TenantSourceKind Source { get; init; }

    /// <summary>The tenants file, the SQLite glob, or the connection string, depending on <see cref="Source"/>.</summary>
    public string Location { get; init; } = "";

    public string? SchemaLike { get; init; }

    /// <summary>For database discovery: a LIKE pattern for the tenant databases, such as tenant_%.</summary>
    public string? DatabaseLike { get; init; }

    /// <summary>For <see cref="TenantSourceKind.SqliteFiles"/>: files the host resolved from <see cref="Location"/>.</summary>
    public IReadOnlyList<string> SqliteFiles { get; init; } = [];

    public DatabaseEngine CatalogEngine { get; init; } = DatabaseEngine.Postgres;

    public string? Query { get; init; }

    /// <summary>Wildcard patterns (*, ?, [a-z]); a tenant matching any of them is kept.</summary>
    public IReadOnlyList<string> Names { get; init; } = [];

    /// <summary>A tenant with any of these tags is kept.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Wildcards or tags: a tenant whose name matches any, or that carries any as a tag, is left out.</summary>
    public IReadOnlyList<string> Exclude { get; init; } = [];

    /// <summary>A catalog query's column holding each tenant's AES-256-CBC encrypted password.</summary>
    public string? PasswordColumn { get; init; }

    /// <summary>The environment variable holding the key of <see cref="PasswordColumn"/> (never the key itself).</summary>
    public string? PasswordKeyVariable { get; init; }

    public Func<string, string?> GetEnvironmentVariable { get; init; } = Environment.GetEnvironmentVariable;

    public string? UserName { get; init; }

    public string? Password { get; init; }

    public async Task<IReadOnlyList<Tenant>> RunAsync(string baseFolder, CancellationToken cancellationToken = default) =>
        await RunAsync(baseFolder, onRetry: null, limits: null, cancellationToken).ConfigureAwait(false);

    public async Task<IReadOnlyList<Tenant>> RunAsync(string baseFolder, Action<string>? onRetry, Execution.ConnectionLimits? limits, CancellationToken cancellationToken = default)
    {
        var passwords = PasswordColumnOf();
        var tenants = Source switch
        {
            TenantSourceKind.File => TenantSources.FromFile(Path.GetFullPath(Location, baseFolder)),
            TenantSourceKind.SqliteGlob => TenantSources.FromSqliteGlob(Location, baseFolder),
            TenantSourceKind.SqliteFiles => SqliteFileTenants.From(SqliteFiles, Location),
            TenantSourceKind.PostgresSchemas => await TenantSources.FromPostgresSchemasAsync(WithCredential(DatabaseEngine.Postgres, Location), SchemaLike ?? "%", onRetry, limits, cancellationToken).ConfigureAwait(false),
            TenantSourceKind.CatalogQuery => await TenantSources.FromCatalogQueryAsync(CatalogEngine, WithCredential(CatalogEngine, Location), Query ?? "", onRetry, passwords, cancellationToken).ConfigureAwait(false),
            TenantSourceKind.PostgresDatabases => await DatabaseDiscovery.FromPostgresAsync(WithCredential(DatabaseEngine.Postgres, Location), DatabaseLike ?? "%", onRetry, limits, cancellationToken).ConfigureAwait(false),
            TenantSourceKind.MySqlDatabases => await DatabaseDiscovery.FromMySqlAsync(WithCredential(DatabaseEngine.MySql, Location), DatabaseLike ?? "%", onRetry, limits, cancellationToken).ConfigureAwait(false),
            _ => throw new InvalidOperationException($"Unknown tenant source {Source}."),
        };
        var excluded = Rollouts.TenantFilter.NameOrTag(Exclude);
        return tenants.Where(Matches).Where(t => excluded.IsEmpty || !excluded.Matches(t)).Select(t => passwords is null ? ApplyCredential(t) : t).ToList();
    }

    public bool Matches(Tenant tenant) =>
        (Names.Count == 0 || Names.Any(pattern => Wildcard.IsMatch(pattern, tenant.Name)))
        && (Tags.Count == 0 || tenant.Tags.Any(tag => Tags.Contains(tag, StringComparer.OrdinalIgnoreCase)));

    /// <summary>The encrypted password column, for a catalog query only; its key variable must be named and set.</summary>
    private EncryptedPasswordColumn? PasswordColumnOf()
    {
        if (PasswordColumn is null && PasswordKeyVariable is null) return null;
        if (Source != TenantSourceKind.CatalogQuery) throw new TenantSourceException("the password column", "encrypted passwords are read from a catalog query: give the catalog connection and its query.");
        if (PasswordColumn is null) throw new TenantSourceException("the password column", $"the key variable '{PasswordKeyVariable}' is given but no password column names the catalog column to decrypt.");
        if (PasswordKeyVariable is null) throw new TenantSourceException("the password column", $"column '{PasswordColumn}' needs the name of the environment variable that holds its key.");
        return EncryptedPasswordColumn.Open(PasswordColumn, PasswordKeyVariable, GetEnvironmentVariable);
    }

    /// <summary>SQLite files have no user: a credential only applies to server engines.</summary>
    private Tenant ApplyCredential(Tenant tenant) =>
        UserName is null || tenant.Engine == DatabaseEngine.Sqlite ? tenant : tenant.WithCredential(UserName, Password ?? "");

    private string WithCredential(DatabaseEngine engine, string connectionString) =>
        UserName is null ? connectionString : new Tenant { Name = "catalog", Engine = engine, ConnectionString = connectionString }.WithCredential(UserName, Password ?? "").GetConnectionString();
}

/// <summary>PowerShell-style wildcards, case-insensitive: *, ?, [abc], [a-z], and ` to escape.</summary>
public static class Wildcard
{
    public static bool IsMatch(string pattern, string text) => ToRegex(pattern).IsMatch(text);

    public static bool HasWildcards(string pattern) => pattern.IndexOfAny(['*', '?', '[']) >= 0;

    public static Regex ToRegex(string pattern)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '`' when i + 1 < pattern.Length:
                    regex.Append(Regex.Escape(pattern[++i].ToString()));
                    break;
                case '*':
                    regex.Append(".*");
                    break;
                case '?':
                    regex.Append('.');
                    break;
                case '[':
                    var close = pattern.IndexOf(']', i + 1);
                    if (close < 0)
                    {
                        regex.Append(@"\[");
                        break;
                    }
                    var set = pattern[(i + 1)..close];
                    regex.Append('[').Append(set.Replace(@"\", @"\\").Replace("^", @"\^")).Append(']');
                    i = close;
                    break;
                default:
                    regex.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }
        return new Regex(regex.Append('$').ToString(), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    }
}

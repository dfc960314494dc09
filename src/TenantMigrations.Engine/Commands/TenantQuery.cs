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
}

/// <summary>Get-Tenant without PowerShell: read one source, then filter by name patterns and tags.</summary>
public sealed record TenantQuery
{
    public TenantSourceKind Source { get; init; }

    /// <summary>The tenants file, the SQLite glob, or the connection string, depending on <see cref="Source"/>.</summary>
    public string Location { get; init; } = "";

    public string? SchemaLike { get; init; }

    /// <summary>For <see cref="TenantSourceKind.SqliteFiles"/>: files the host resolved from <see cref="Location"/>.</summary>
    public IReadOnlyList<string> SqliteFiles { get; init; } = [];

    public DatabaseEngine CatalogEngine { get; init; } = DatabaseEngine.Postgres;

    public string? Query { get; init; }

    /// <summary>Wildcard patterns (*, ?, [a-z]); a tenant matching any of them is kept.</summary>
    public IReadOnlyList<string> Names { get; init; } = [];

    /// <summary>A tenant with any of these tags is kept.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    public string? UserName { get; init; }

    public string? Password { get; init; }

    public async Task<IReadOnlyList<Tenant>> RunAsync(string baseFolder, CancellationToken cancellationToken = default)
    {
        var tenants = Source switch
        {
            TenantSourceKind.File => TenantSources.FromFile(Path.GetFullPath(Location, baseFolder)),
            TenantSourceKind.SqliteGlob => TenantSources.FromSqliteGlob(Location, baseFolder),
            TenantSourceKind.SqliteFiles => SqliteFileTenants.From(SqliteFiles, Location),
            TenantSourceKind.PostgresSchemas => await TenantSources.FromPostgresSchemasAsync(WithCredential(DatabaseEngine.Postgres, Location), SchemaLike ?? "%", cancellationToken: cancellationToken).ConfigureAwait(false),
            TenantSourceKind.CatalogQuery => await TenantSources.FromCatalogQueryAsync(CatalogEngine, WithCredential(CatalogEngine, Location), Query ?? "", cancellationToken: cancellationToken).ConfigureAwait(false),
            _ => throw new InvalidOperationException($"Unknown tenant source {Source}."),
        };
        return tenants.Where(Matches).Select(ApplyCredential).ToList();
    }

    public bool Matches(Tenant tenant) =>
        (Names.Count == 0 || Names.Any(pattern => Wildcard.IsMatch(pattern, tenant.Name)))
        && (Tags.Count == 0 || tenant.Tags.Any(tag => Tags.Contains(tag, StringComparer.OrdinalIgnoreCase)));

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

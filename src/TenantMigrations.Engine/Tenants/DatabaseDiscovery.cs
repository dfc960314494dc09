using System.Data.Common;
using Npgsql;
using TenantMigrations.Engine.Dialects;
using TenantMigrations.Engine.Execution;
using TenantMigrations.MySql;

namespace TenantMigrations.Engine.Tenants;

/// <summary>
/// One tenant per database whose name matches a LIKE pattern, on one PostgreSQL or MySQL/MariaDB server. Each tenant
/// connects with the discovery connection's credentials to its own database. The pattern is sent as a parameter.
/// Transient errors are retried as for schema discovery.
/// </summary>
public static class DatabaseDiscovery
{
    private const string PostgresQuery =
        "SELECT datname FROM pg_catalog.pg_database WHERE datname LIKE $1 AND datallowconn AND NOT datistemplate ORDER BY datname";

    private const string MySqlQuery =
        "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE @pattern "
        + "AND SCHEMA_NAME NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys') ORDER BY SCHEMA_NAME";

    public static Task<IReadOnlyList<Tenant>> FromPostgresAsync(string connectionString, string databaseLike, Action<string>? onRetry = null, ConnectionLimits? limits = null, CancellationToken cancellationToken = default) =>
        DiscoverAsync(DatabaseEngine.Postgres, "PostgreSQL database discovery", "--pg", connectionString, databaseLike, onRetry, limits, cancellationToken);

    public static Task<IReadOnlyList<Tenant>> FromMySqlAsync(string connectionString, string databaseLike, Action<string>? onRetry = null, ConnectionLimits? limits = null, CancellationToken cancellationToken = default) =>
        DiscoverAsync(DatabaseEngine.MySql, "MySQL database discovery", "--mysql", connectionString, databaseLike, onRetry, limits, cancellationToken);

    /// <summary>The tenant's connection string: the server's, with its own database, set through the engine's builder.</summary>
    public static string ConnectionStringFor(DatabaseEngine engine, string serverConnectionString, string database) => engine switch
    {
        DatabaseEngine.Postgres => new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = database }.ConnectionString,
        DatabaseEngine.MySql => new MySqlConnectionStringBuilder { ConnectionString = serverConnectionString, Database = database }.ConnectionString,
        _ => throw new ArgumentOutOfRangeException(nameof(engine), engine, "Database discovery is for PostgreSQL and MySQL."),
    };

    private static async Task<IReadOnlyList<Tenant>> DiscoverAsync(DatabaseEngine engine, string source, string option, string connectionString, string databaseLike, Action<string>? onRetry, ConnectionLimits? limits, CancellationToken cancellationToken)
    {
        var probe = new Tenant { Name = "discovery", Engine = engine, ConnectionString = connectionString };
        if (ConnectionStringCheck.ProblemOf(engine, connectionString) is { } problem) throw new TenantSourceException(source, $"{option}: {problem}");
        if (string.IsNullOrWhiteSpace(databaseLike)) throw new TenantSourceException(source, "--database-like needs a LIKE pattern such as 'tenant_%'.");
        var dialect = DialectRegistry.CreateDefault().For(engine);
        var where = $"databases LIKE '{databaseLike}'";
        try
        {
            var databases = await TenantSourceRetry.RunAsync(dialect, source, probe, async token =>
            {
                await using var connection = dialect.CreateConnection(probe, forWriting: false, limits);
                await connection.OpenAsync(token).ConfigureAwait(false);
                await using var command = connection.CreateCommand();
                command.CommandText = engine == DatabaseEngine.Postgres ? PostgresQuery : MySqlQuery;
                var pattern = command.CreateParameter();
                if (engine == DatabaseEngine.MySql) pattern.ParameterName = "@pattern";
                pattern.Value = databaseLike;
                command.Parameters.Add(pattern);
                var names = new List<string>();
                await using var reader = await command.ExecuteReaderAsync(token).ConfigureAwait(false);
                while (await reader.ReadAsync(token).ConfigureAwait(false)) names.Add(reader.GetString(0));
                return names;
            }, onRetry, cancellationToken).ConfigureAwait(false);
            return databases.Select(database => new Tenant
            {
                Name = TenantNames.Require(database, $"{source}, {where}"),
                Engine = engine,
                ConnectionString = ConnectionStringFor(engine, connectionString, database),
                Source = where,
            }).ToList();
        }
        catch (Exception ex) when (ex is DbException or System.Net.Sockets.SocketException or TimeoutException or ArgumentException or InvalidOperationException)
        {
            throw new TenantSourceException(source, Redaction.MessageOf(ex, probe));
        }
    }
}

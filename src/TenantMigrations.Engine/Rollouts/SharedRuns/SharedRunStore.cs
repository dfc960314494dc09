using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using TenantMigrations.Engine.Dialects;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Rollouts.RunRecords;

namespace TenantMigrations.Engine.Rollouts.SharedRuns;

/// <summary>
/// Run records in two tables of a PostgreSQL or MySQL/MariaDB catalog database that every runner of a fleet can
/// reach. Chosen by a run store value with an engine prefix: "postgres:Host=...;Database=catalog" or
/// "mysql:Server=...;Database=catalog". The tables are created when missing.
/// </summary>
public sealed class SharedRunStore : IRunStore
{
    private static readonly (string Prefix, DatabaseEngine Engine)[] Prefixes =
    [
        ("postgres:", DatabaseEngine.Postgres),
        ("postgresql:", DatabaseEngine.Postgres),
        ("mysql:", DatabaseEngine.MySql),
        ("mariadb:", DatabaseEngine.MySql),
    ];

    private readonly Tenant catalog;
    private int tablesReady;

    private SharedRunStore(DatabaseEngine engine, string connectionString, IDatabaseDialect dialect)
    {
        // The catalog travels as a tenant so the dialect opens it, and its password is redacted like any tenant's.
        catalog = new Tenant { Name = "run store", Engine = engine, ConnectionString = connectionString, Source = "--run-store" };
        Dialect = dialect;
        Sql = new SharedRunSql(dialect);
        Location = $"{engine} run store {ConnectionStringRedactor.Redact(connectionString)}";
    }

    public DatabaseEngine Engine => catalog.Engine;

    public string Location { get; }

    internal IDatabaseDialect Dialect { get; }

    internal SharedRunSql Sql { get; }

    /// <summary>Whether a run store value names a database (an engine prefix) rather than a folder.</summary>
    public static bool IsConnection(string? value) =>
        value is not null && Prefixes.Any(p => value.TrimStart().StartsWith(p.Prefix, StringComparison.OrdinalIgnoreCase));

    /// <summary>Reads "postgres:CONNECTION" or "mysql:CONNECTION"; the error names the run store and never repeats the value.</summary>
    public static SharedRunStore Parse(string value, DialectRegistry? dialects = null)
    {
        var trimmed = value.Trim();
        var (prefix, engine) = Prefixes.FirstOrDefault(p => trimmed.StartsWith(p.Prefix, StringComparison.OrdinalIgnoreCase));
        if (prefix is null) throw new ArgumentException("the run store is not a database: start it with postgres: or mysql:.");
        var connectionString = trimmed[prefix.Length..].Trim();
        if (connectionString.Length == 0) throw new ArgumentException($"the run store '{prefix}' has no connection string after the prefix.");
        try
        {
            if (engine == DatabaseEngine.Postgres) _ = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
            else _ = new MySql.MySqlConnectionStringBuilder { ConnectionString = connectionString };
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or KeyNotFoundException)
        {
            throw new ArgumentException($"the run store's {engine} connection string is not valid: {ConnectionStringRedactor.RedactText(ex.Message, ConnectionStringRedactor.SecretsOf(connectionString))}");
        }
        return new SharedRunStore(engine, connectionString, (dialects ?? DialectRegistry.CreateDefault()).For(engine));
    }

    /// <summary>An open connection to the catalog, with the tables in place.</summary>
    internal async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = Dialect.CreateConnection(catalog, forWriting: true);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            if (Volatile.Read(ref tablesReady) == 0)
            {
                await CreateTablesAsync(connection, cancellationToken).ConfigureAwait(false);
                Volatile.Write(ref tablesReady, 1);
            }
            return connection;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw Unreachable(ex);
        }
    }

    /// <summary>
    /// Runners started together all create the tables: on PostgreSQL two concurrent CREATE TABLE IF NOT EXISTS can
    /// collide, and the loser finds the tables there on its second try.
    /// </summary>
    private async Task CreateTablesAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        foreach (var statement in Sql.CreateTables())
        {
            try
            {
                await ExecuteAsync(connection, null, statement, [], cancellationToken).ConfigureAwait(false);
            }
            catch (DbException)
            {
                await ExecuteAsync(connection, null, statement, [], cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A store failure, in words that name the store and never carry its password.</summary>
    internal SharedRunStoreException Unreachable(Exception ex) =>
        ex as SharedRunStoreException ?? new SharedRunStoreException($"{Location}: {Redaction.MessageOf(ex, catalog)}", ex);

    internal static async Task<int> ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, IEnumerable<(string Name, object? Value)> parameters, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    internal static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, IEnumerable<(string Name, object? Value)> parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }
        return command;
    }

    public async Task<bool> ContainsAsync(string runId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var command = Command(connection, null, $"SELECT count(*) FROM {Sql.Runs} WHERE run_id = @run", [("run", runId)]);
            return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) > 0;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw Unreachable(ex);
        }
    }

    public async Task<IReadOnlyList<TenantMigrationRun>> ListAsync(Action<string> warn, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var runs = await ReadRunsAsync(connection, null, cancellationToken).ConfigureAwait(false);
            foreach (var run in runs) await AddTenantsAsync(connection, run, cancellationToken).ConfigureAwait(false);
            return runs;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw Unreachable(ex);
        }
    }

    public async Task<TenantMigrationRun> ReadAsync(string runId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var run = (await ReadRunsAsync(connection, runId, cancellationToken).ConfigureAwait(false)).FirstOrDefault()
                ?? throw new RunNotFoundException(runId, Location);
            await AddTenantsAsync(connection, run, cancellationToken).ConfigureAwait(false);
            return run;
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or RunNotFoundException))
        {
            throw Unreachable(ex);
        }
    }

    private async Task<List<TenantMigrationRun>> ReadRunsAsync(DbConnection connection, string? runId, CancellationToken cancellationToken)
    {
        var runs = new List<TenantMigrationRun>();
        await using var command = Command(connection, null, Sql.SelectRuns(one: runId is not null), runId is null ? [] : [("run", runId)]);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var options = JsonSerializer.Deserialize(reader.GetString(5), RunRecordLines.Json.DictionaryStringString) ?? [];
            var summary = reader.IsDBNull(8) ? null : JsonSerializer.Deserialize(reader.GetString(8), RunRecordLines.Json.RunSummaryLine);
            var started = Utc(reader.GetValue(1));
            DateTimeOffset? finished = reader.IsDBNull(7) ? null : Utc(reader.GetValue(7));
            runs.Add(new TenantMigrationRun
            {
                RunId = reader.GetString(0),
                StartedAt = started,
                FinishedAt = finished,
                ToolVersion = reader.GetString(2),
                MigrationsFolder = reader.GetString(3),
                Options = options,
                TenantCount = Convert.ToInt32(reader.GetValue(6), CultureInfo.InvariantCulture),
                Duration = finished is { } end && end > started ? end - started : TimeSpan.Zero,
                MigrationsApplied = summary?.MigrationsApplied ?? 0,
                Path = Location,
            });
        }
        return runs;
    }

    private async Task AddTenantsAsync(DbConnection connection, TenantMigrationRun run, CancellationToken cancellationToken)
    {
        var outcomes = new List<TenantRunOutcome>();
        var left = new List<string>();
        await using (var command = Command(connection, null, Sql.SelectTenants(), [("run", run.RunId)]))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var name = reader.GetString(0);
                var state = reader.GetString(1);
                var line = reader.IsDBNull(3) ? null : JsonSerializer.Deserialize(reader.GetString(3), RunRecordLines.Json.RunTenantLine);
                if (state is SharedRunSql.Done or SharedRunSql.Failed && line is not null) outcomes.Add(RunRecordReader.ToOutcome(line));
                else left.Add(name);
            }
        }
        run.Tenants = [.. outcomes];
        run.TenantsLeft = [.. left];
        run.TenantCount = outcomes.Count + left.Count;
        run.Done = outcomes.Count(o => o.Succeeded);
        run.Failed = outcomes.Count(o => !o.Succeeded);
        run.MigrationsApplied = outcomes.Sum(o => o.Applied.Length);
        run.Complete = run.FinishedAt is not null && left.Count == 0;
    }

    internal static DateTimeOffset Utc(object value) => value switch
    {
        DateTimeOffset offset => offset.ToUniversalTime(),
        DateTime time => new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)),
        string text => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal),
        _ => throw new InvalidDataException($"unexpected time value of type {value.GetType().Name} in the run store."),
    };
}

/// <summary>The shared run store could not be reached or written; the message names the store without its password.</summary>
public sealed class SharedRunStoreException(string message, Exception? inner = null) : IOException(message, inner);

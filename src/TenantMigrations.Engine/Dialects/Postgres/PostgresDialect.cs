using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using System.Globalization;
using Npgsql;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Journal;

namespace TenantMigrations.Engine.Dialects.Postgres;

/// <summary>
/// PostgreSQL, schema per tenant (Tenant.Schema set) or database per tenant (journal in public).
/// The tenant lock is a session advisory lock keyed on (database, schema, journal table).
/// </summary>
public sealed class PostgresDialect : IDatabaseDialect
{
    private PostgresSchemaRenderer? schemaRenderer;

    public Schema.Typed.ISchemaRenderer SchemaRenderer => schemaRenderer ??= new PostgresSchemaRenderer(this);

    private const string DefaultSchema = "public";

    public DatabaseEngine Engine => DatabaseEngine.Postgres;

    public bool SupportsTransactionalDdl => true;

    public string QuoteIdentifier(string identifier) => QuotedIdentifiers.Quote(identifier, '"');

    public string QuoteLiteral(string? value) => QuotedIdentifiers.StandardLiteral(value);

    private readonly Tenants.CheckedConnectionStrings checkedConnectionStrings = new(DatabaseEngine.Postgres);

    public void Validate(Tenant tenant, bool forReading = false)
    {
        checkedConnectionStrings.Require(tenant);
        if (tenant.Schema is not null) Identifiers.RequireSafe(tenant.Schema, $"Schema of tenant '{tenant.Name}'");
    }

    /// <summary>The tool's connection string per tenant connection string and limits: a fleet of schemas parses one.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string ConnectionString, ConnectionLimits Limits, bool DatabasePerTenant), string> connectionStrings = new();

    /// <summary>The application_name that names a run, per connection string.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string ConnectionString, string RunId), string> sessionNames = new();

    public DbConnection CreateConnection(Tenant tenant, bool forWriting, ConnectionLimits? limits = null) => new NpgsqlConnection(ConnectionString(tenant, limits ?? new()));

    private string ConnectionString(Tenant tenant, ConnectionLimits limits)
    {
        Tenants.TenantCredentials.ThrowIfUnavailable(tenant);
        return connectionStrings.GetOrAdd((tenant.GetConnectionString(), limits, tenant.Schema is null), key => BuildConnectionString(key.ConnectionString, key.Limits, key.DatabasePerTenant));
    }

    private static string BuildConnectionString(string connectionString, ConnectionLimits limits, bool databasePerTenant)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        // A pool per tenant database would keep a fleet's idle sessions open for minutes after the run, one per database,
        // until the server runs out of connections; a tenant database is visited once per run, so nothing is lost.
        if (databasePerTenant && !connectionString.Contains("pooling", StringComparison.OrdinalIgnoreCase)) builder.Pooling = false;
        if (limits.ConnectTimeout is { } connect) builder.Timeout = Seconds(connect);
        builder.CommandTimeout = Seconds(limits.CommandTimeout ?? ConnectionLimits.DefaultToolCommandTimeout);
        builder.ApplicationName = PostgresSessionName.For(builder.ApplicationName, runId: null);
        // The tool reads only built-in types: loading the catalog's types would cost a query on every new database.
        // Npgsql 9 prefers a data source per connection string for this, which would hold a pool per tenant database.
#pragma warning disable CS0618
        if (builder.ServerCompatibilityMode == ServerCompatibilityMode.None) builder.ServerCompatibilityMode = ServerCompatibilityMode.NoTypeLoading;
#pragma warning restore CS0618
        return builder.ConnectionString;
    }

    private static int Seconds(TimeSpan time) => (int)Math.Min(int.MaxValue, Math.Ceiling(time.TotalSeconds));

    public async Task PrepareSessionAsync(DbConnection connection, Tenant tenant, CancellationToken cancellationToken)
    {
        foreach (var statement in SessionStatements(tenant))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = statement;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Only the tenant's schema is on the search path, so unqualified objects can land nowhere else.</summary>
    public IReadOnlyList<string> SessionStatements(Tenant tenant) =>
        tenant.Schema is null ? [] : [$"SET search_path TO {QuoteIdentifier(tenant.Schema)}"];

    public string JournalTableName(Tenant tenant, string journalTable) =>
        $"{QuoteIdentifier(tenant.Schema ?? DefaultSchema)}.{QuoteIdentifier(journalTable)}";

    public IReadOnlyList<string> CreateJournalStatements(Tenant tenant, string journalTable)
    {
        var table = $"""
            CREATE TABLE IF NOT EXISTS {JournalTableName(tenant, journalTable)} (
                installed_rank integer PRIMARY KEY,
                version varchar({JournalColumns.MaxVersionLength}),
                description varchar({JournalColumns.MaxDescriptionLength}) NOT NULL,
                kind varchar(20) NOT NULL,
                checksum varchar(64),
                state varchar(20) NOT NULL,
                started_at timestamptz NOT NULL,
                finished_at timestamptz,
                duration_ms bigint,
                applied_by varchar({JournalColumns.MaxAppliedByLength}),
                run_id varchar(64),
                tool_version varchar(32),
                error text,
                failed_statement text,
                script_name varchar({JournalColumns.MaxScriptNameLength}),
                script text
            )
            """;
        return tenant.Schema is null ? [table] : [$"CREATE SCHEMA IF NOT EXISTS {QuoteIdentifier(tenant.Schema)}", table];
    }

    public async Task<IAsyncDisposable?> TryLockAsync(DbConnection connection, Tenant tenant, string journalTable, TimeSpan timeout, CancellationToken cancellationToken, string? runId = null)
    {
        var key = LockKey(connection.Database, tenant.Schema ?? DefaultSchema, journalTable);
        if (runId is not null)
        {
            // The session that holds the lock names its run, so that a runner left waiting can say who it waits for.
            await using var name = connection.CreateCommand();
            name.CommandText = "SELECT set_config('application_name', @name, false)";
            name.Parameters.Add(new NpgsqlParameter("name", PostgresSessionName.For(new NpgsqlConnectionStringBuilder(connection.ConnectionString).ApplicationName, runId)));
            await name.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        }
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = "SELECT pg_try_advisory_lock(@key)";
                command.Parameters.Add(new NpgsqlParameter("key", key));
                if ((bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!) return new AdvisoryLock(connection, key);
            }
            if (DateTime.UtcNow >= deadline) return null;
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The advisory locks held in the current database with their holders: application_name, client address, backend pid and start.</summary>
    private const string HeldLocksQuery =
        "SELECT (l.classid::bigint << 32) | l.objid::bigint AS lock_key, a.application_name, host(a.client_addr), l.pid, a.backend_start FROM pg_catalog.pg_locks l LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid " +
        "WHERE l.locktype = 'advisory' AND l.objsubid = 1 AND l.granted AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())";

    /// <summary>
    /// The keys of the advisory locks held on the server, through pg_lock_status() itself: in a new session, the
    /// pg_locks and pg_stat_activity views cost the server about twice as much to plan, and a database per tenant
    /// pays that on every tenant. The key hashes the database's name, so other databases' locks never match.
    /// </summary>
    private const string HeldLockKeysQuery =
        "SELECT (l.classid::bigint << 32) | l.objid::bigint FROM pg_catalog.pg_lock_status() AS l WHERE l.locktype = 'advisory' AND l.objsubid = 1 AND l.granted";

    public async Task<string?> DescribeLockHolderAsync(DbConnection connection, Tenant tenant, string journalTable, CancellationToken cancellationToken)
    {
        var key = LockKey(connection.Database, tenant.Schema ?? DefaultSchema, journalTable);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM ({HeldLocksQuery}) AS held WHERE held.lock_key = @key LIMIT 1";
        command.Parameters.Add(new NpgsqlParameter("key", key));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? DescribeHolder(reader) : null;
    }

    /// <summary>
    /// A row of <see cref="HeldLocksQuery"/> as text. Without pg_read_all_stats, PostgreSQL hides the address and start
    /// of other roles' sessions (backend_start reads null), so a null address then means unknown, not a local socket.
    /// </summary>
    private static string DescribeHolder(DbDataReader reader)
    {
        var application = reader.IsDBNull(1) ? null : reader.GetString(1);
        var hidden = reader.IsDBNull(4);
        var who = !string.IsNullOrEmpty(application) ? application : hidden ? "another session" : "a session without application_name";
        var host = hidden ? null : reader.IsDBNull(2) ? "localhost (unix socket)" : reader.GetString(2);
        var backend = $"backend pid {reader.GetInt32(3).ToString(CultureInfo.InvariantCulture)}";
        return LockHolderText.Describe(who, host, backend, hidden ? null : reader.GetDateTime(4), hidden ? "its address and start need the pg_read_all_stats role to be seen" : null);
    }

    /// <summary>The 64-bit advisory lock key of a tenant's journal: stable across runners and processes.</summary>
    public static long LockKey(string database, string schema, string journalTable) =>
        BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes($"tenantmigrations|{database}|{schema}|{journalTable}")), 0);

    public async Task<bool> HasTablesAsync(DbConnection connection, Tenant tenant, string journalTable, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = $1 AND tablename <> $2)", (NpgsqlConnection)connection)
        {
            Parameters = { new NpgsqlParameter { Value = tenant.Schema ?? DefaultSchema }, new NpgsqlParameter { Value = journalTable } },
        };
        return (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    public async Task<JournalSnapshot> ReadJournalAsync(DbConnection connection, Tenant tenant, string journalTable, CancellationToken cancellationToken)
    {
        var snapshots = await ReadAsync((NpgsqlConnection)connection, [tenant], journalTable, checkLocks: false, cancellationToken).ConfigureAwait(false);
        return snapshots[tenant];
    }

    /// <summary>Tenants on the same server and database share one connection and one batched read.</summary>
    public string StatusBatchKey(Tenant tenant) => tenant.GetConnectionString();

    /// <summary>Each session is a server process: starting one cost the server 34–38 ms of CPU before its first query.</summary>
    public bool SessionsCostMoreThanLocks => true;

    public bool RunsInProcess => false;

    public async Task<IReadOnlyDictionary<Tenant, JournalSnapshot>> ReadJournalsAsync(IReadOnlyList<Tenant> tenants, string journalTable, ConnectionLimits limits, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(ConnectionString(tenants[0], limits));
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ReadAsync(connection, tenants, journalTable, checkLocks: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Two round trips for any number of schemas in one database: which schemas have a journal (and which journals
    /// are locked), then one batch with a plain SELECT per journal. Separate statements plan far faster than one
    /// UNION ALL over hundreds of tables. Only when one of the journals is locked does a third name the holders.
    /// </summary>
    private async Task<IReadOnlyDictionary<Tenant, JournalSnapshot>> ReadAsync(NpgsqlConnection connection, IReadOnlyList<Tenant> tenants, string journalTable, bool checkLocks, CancellationToken cancellationToken)
    {
        var bySchema = tenants.GroupBy(t => t.Schema ?? DefaultSchema).ToDictionary(g => g.Key, g => g.ToList());
        var schemaOfLock = checkLocks ? bySchema.Keys.ToDictionary(schema => LockKey(connection.Database, schema, journalTable)) : [];
        var withJournal = new List<string>();
        var lockedSchemas = new HashSet<string>();
        await using (var discover = new NpgsqlBatch(connection))
        {
            discover.BatchCommands.Add(JournalsThatExist([.. bySchema.Keys], journalTable));
            if (checkLocks) discover.BatchCommands.Add(new NpgsqlBatchCommand(HeldLockKeysQuery));
            await using var reader = await discover.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) withJournal.Add(reader.GetString(0));
            if (checkLocks && await reader.NextResultAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (schemaOfLock.TryGetValue(reader.GetInt64(0), out var schema)) lockedSchemas.Add(schema);
                }
            }
        }
        var holders = lockedSchemas.Count == 0 ? [] : await DescribeHeldLocksAsync(connection, cancellationToken).ConfigureAwait(false);

        var entries = bySchema.Keys.ToDictionary(s => s, _ => new List<JournalEntry>());
        if (withJournal.Count > 0)
        {
            await using var read = new NpgsqlBatch(connection);
            foreach (var schema in withJournal)
            {
                read.BatchCommands.Add(new NpgsqlBatchCommand($"SELECT {JournalColumns.StatusList} FROM {QuoteIdentifier(schema)}.{QuoteIdentifier(journalTable)} ORDER BY installed_rank"));
            }
            await using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var texts = new SharedTexts();
            foreach (var schema in withJournal)
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) entries[schema].Add(JournalColumns.Read(reader, shared: texts));
                await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        var snapshots = new Dictionary<Tenant, JournalSnapshot>();
        foreach (var (schema, schemaTenants) in bySchema)
        {
            var locked = lockedSchemas.Contains(schema);
            var holder = locked ? holders.GetValueOrDefault(LockKey(connection.Database, schema, journalTable)) : null;
            foreach (var tenant in schemaTenants) snapshots[tenant] = new JournalSnapshot(withJournal.Contains(schema), entries[schema], locked, LockHolder: holder);
        }
        return snapshots;
    }

    /// <summary>
    /// The schemas whose journal exists. One schema (a database per tenant) goes as a scalar: the first text[]
    /// parameter of a data source builds Npgsql's whole array mapping table, milliseconds of CPU on every database.
    /// </summary>
    private static NpgsqlBatchCommand JournalsThatExist(string[] schemas, string journalTable) =>
        schemas.Length == 1
            ? new NpgsqlBatchCommand("SELECT $2::text WHERE to_regclass(format('%I.%I', $2::text, $1::text)) IS NOT NULL")
            {
                Parameters = { new NpgsqlParameter { Value = journalTable }, new NpgsqlParameter { Value = schemas[0] } },
            }
            : new NpgsqlBatchCommand("SELECT s FROM unnest($2::text[]) AS s WHERE to_regclass(format('%I.%I', s, $1)) IS NOT NULL ORDER BY s")
            {
                Parameters = { new NpgsqlParameter { Value = journalTable }, new NpgsqlParameter { Value = schemas } },
            };

    private static async Task<Dictionary<long, string>> DescribeHeldLocksAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var holders = new Dictionary<long, string>();
        await using var command = new NpgsqlCommand(HeldLocksQuery, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) holders[reader.GetInt64(0)] = DescribeHolder(reader);
        return holders;
    }

    public bool BatchesAreAtomic => true;

    /// <summary>
    /// One round trip takes the lock, asks whether the journal exists and sets the session up; a second reads the
    /// journal, only when it exists. A lock that is not free at once falls back to waiting for it.
    /// </summary>
    public async Task<LockedSession> OpenLockedSessionAsync(DbConnection connection, Tenant tenant, string journalTable, TimeSpan lockTimeout, string? runId, IReadOnlyList<string> sessionSettings, CancellationToken cancellationToken)
    {
        var npgsql = (NpgsqlConnection)connection;
        var schema = tenant.Schema ?? DefaultSchema;
        var key = LockKey(connection.Database, schema, journalTable);
        bool locked, journalExists;
        await using (var setup = new NpgsqlBatch(npgsql))
        {
            setup.BatchCommands.Add(new NpgsqlBatchCommand("SELECT pg_try_advisory_lock($1)") { Parameters = { new NpgsqlParameter { Value = key } } });
            setup.BatchCommands.Add(new NpgsqlBatchCommand("SELECT to_regclass(format('%I.%I', $1::text, $2::text)) IS NOT NULL")
            {
                Parameters = { new NpgsqlParameter { Value = schema }, new NpgsqlParameter { Value = journalTable } },
            });
            if (runId is not null)
            {
                setup.BatchCommands.Add(new NpgsqlBatchCommand("SELECT set_config('application_name', $1, false)")
                {
                    Parameters = { new NpgsqlParameter { Value = sessionNames.GetOrAdd((connection.ConnectionString, runId), key => PostgresSessionName.For(new NpgsqlConnectionStringBuilder(key.ConnectionString).ApplicationName, key.RunId)) } },
                });
            }
            foreach (var statement in SessionStatements(tenant).Concat(sessionSettings)) setup.BatchCommands.Add(new NpgsqlBatchCommand(statement));
            await using var reader = await setup.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            locked = reader.GetBoolean(0);
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            journalExists = reader.GetBoolean(0);
        }
        if (!locked)
        {
            var waited = await TryLockAsync(connection, tenant, journalTable, lockTimeout, cancellationToken, runId).ConfigureAwait(false);
            return waited is null ? new LockedSession(null, JournalSnapshot.Empty) : new LockedSession(waited, await ReadJournalAsync(connection, tenant, journalTable, cancellationToken).ConfigureAwait(false));
        }

        var entries = new List<JournalEntry>();
        if (journalExists)
        {
            await using var read = new NpgsqlCommand($"SELECT {JournalColumns.StatusList} FROM {JournalTableName(tenant, journalTable)} ORDER BY installed_rank", npgsql);
            await using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) entries.Add(JournalColumns.Read(reader));
        }
        return new LockedSession(new AdvisoryLock(connection, key), new JournalSnapshot(journalExists, entries));
    }

    /// <summary>
    /// Inside an atomic batch the server times the migration: it started when the batch began or when the previous
    /// migration of the same batch finished (the journal's latest finished_at), and finished now.
    /// </summary>
    public string? BatchedJournalInsertSql(string journalTableName) =>
        $"INSERT INTO {journalTableName} ({JournalColumns.InsertList}) " +
        "SELECT @rank, @version, @description, @kind, @checksum, @state, timing.started, timing.finished, " +
        "(extract(epoch FROM timing.finished - timing.started) * 1000)::bigint, @applied_by, @run_id, @tool_version, @error, @failed_statement, @script_name, @script " +
        $"FROM (SELECT GREATEST(now(), (SELECT max(finished_at) FROM {journalTableName})) AS started, clock_timestamp() AS finished) AS timing";

    public IReadOnlyList<string> SplitStatements(string script) => SqlStatementSplitter.Postgres.Split(script);

    public IReadOnlyList<string> DdlLockTimeoutStatements(TimeSpan timeout) =>
        [$"SET lock_timeout = {((long)Math.Ceiling(timeout.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture)}"];

    /// <summary>
    /// Npgsql splits a command's text at semicolons unless it has positional parameters, which breaks BEGIN ATOMIC bodies
    /// (npgsql#4445). One unused positional parameter makes it send the statement as written; PostgreSQL accepts a
    /// declared parameter that the statement does not use.
    /// </summary>
    public void SendAsWritten(DbParameterCollection parameters) => parameters.Add(new NpgsqlParameter { Value = 0 });

    /// <summary>55P03 lock_not_available is what lock_timeout raises.</summary>
    public bool IsLockTimeout(Exception exception) => exception is PostgresException { SqlState: PostgresErrorCodes.LockNotAvailable };

    public string ScriptStatement(string statement) => ScriptStatements.Terminated(statement);

    public bool IsTransient(Exception exception) =>
        exception is NpgsqlException { IsTransient: true } || exception is TimeoutException || exception.InnerException is System.Net.Sockets.SocketException;

    public (string? SqlState, int? Position, string? Statement) DescribeError(Exception exception) =>
        exception is PostgresException pg ? (pg.SqlState, pg.Position == 0 ? null : pg.Position, string.IsNullOrEmpty(pg.BatchCommand?.CommandText) ? null : pg.BatchCommand.CommandText) : (null, null, null);


    // Live-schema drift (Test-TenantSchema, CLI drift).

    public async Task<IReadOnlyDictionary<Tenant, Schema.SchemaSnapshot>> ReadSchemasAsync(IReadOnlyList<Tenant> tenants, IReadOnlySet<string> excludedTables, ConnectionLimits limits, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(ConnectionString(tenants[0], limits));
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await PostgresCatalogReader.ReadAsync(connection, tenants, DefaultSchema, excludedTables, cancellationToken).ConfigureAwait(false);
    }

    public Schema.Drift.SuggestedFix SuggestFix(Schema.Drift.SchemaDrift drift) => new PostgresDriftFixes(this).Suggest(drift);
    // Provisioning (issue 9): creating tenants on purpose, and cloning them from a template.

    public string StoreDescription(Tenant tenant) => tenant.Schema is { } schema ? $"schema '{schema}'" : $"database '{DatabaseOf(tenant)}'";

    public bool MayExistWithoutConnecting(Tenant tenant) => true;

    /// <summary>3D000 invalid_catalog_name: the connection string names a database that does not exist.</summary>
    public bool IsMissingTenant(Exception exception) => exception is PostgresException { SqlState: PostgresErrorCodes.InvalidCatalogName };

    public async Task<bool> StoreExistsAsync(DbConnection connection, Tenant tenant, CancellationToken cancellationToken) =>
        tenant.Schema is null || await PostgresSchemaCopy.ExistsAsync((NpgsqlConnection)connection, tenant.Schema, cancellationToken).ConfigureAwait(false);

    public async Task<bool> TenantExistsAsync(Tenant tenant, ConnectionLimits limits, CancellationToken cancellationToken)
    {
        if (tenant.Schema is not null)
        {
            await using var connection = new NpgsqlConnection(ConnectionString(tenant, limits));
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return await PostgresSchemaCopy.ExistsAsync(connection, tenant.Schema, cancellationToken).ConfigureAwait(false);
        }
        await using var server = await OpenMaintenanceAsync(tenant, limits, cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1)", server) { Parameters = { new NpgsqlParameter { Value = DatabaseOf(tenant) } } };
        return (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    public async Task CreateDatabaseAsync(Tenant tenant, ConnectionLimits limits, CancellationToken cancellationToken)
    {
        if (tenant.Schema is not null)
        {
            throw new Provisioning.ProvisioningException(ErrorIds.TenantNotFound, $"tenant '{tenant.Name}': database '{DatabaseOf(tenant)}' not found; a schema-per-tenant tenant's database must exist (only its schema is created).");
        }
        await using var server = await OpenMaintenanceAsync(tenant, limits, cancellationToken).ConfigureAwait(false);
        await CreateDatabaseAsync(server, tenant, $"CREATE DATABASE {QuoteIdentifier(DatabaseOf(tenant))}", template: null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Schema per tenant: the template schema's DDL and rows are copied in one transaction. Database per tenant:
    /// CREATE DATABASE ... TEMPLATE, which needs the template to have no other session: this process's idle pooled
    /// sessions to it are closed first, and a template still in use is reported by name.
    /// </summary>
    public async Task CloneAsync(Tenant templateTenant, Tenant tenant, string journalTable, ConnectionLimits limits, CancellationToken cancellationToken)
    {
        var template = templateTenant;
        if (tenant.Schema is not null)
        {
            if (template.Schema is null || DatabaseOf(template) != DatabaseOf(tenant))
            {
                throw new Provisioning.ProvisioningException(ErrorIds.TemplateUnusable, $"template '{template.Name}' must be a schema in the database of tenant '{tenant.Name}'.");
            }
            await using var connection = new NpgsqlConnection(ConnectionString(tenant, limits));
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await PostgresSchemaCopy.CopyAsync(connection, template.Schema, tenant.Schema, cancellationToken).ConfigureAwait(false);
            return;
        }
        NpgsqlConnection.ClearPool(new NpgsqlConnection(ConnectionString(template, limits)));
        await using var server = await OpenMaintenanceAsync(tenant, limits, cancellationToken).ConfigureAwait(false);
        var sql = $"CREATE DATABASE {QuoteIdentifier(DatabaseOf(tenant))} TEMPLATE {QuoteIdentifier(DatabaseOf(template))}";
        await CreateDatabaseAsync(server, tenant, sql, template, cancellationToken).ConfigureAwait(false);
    }

    public Tenant TemplateFor(Tenant tenant, string templateName)
    {
        var template = tenant.Clone();
        template.Name = templateName;
        template.Properties = new(StringComparer.OrdinalIgnoreCase);
        if (tenant.Schema is not null)
        {
            template.Schema = Identifiers.RequireSafe(templateName, "Template");
            return template;
        }
        var builder = new NpgsqlConnectionStringBuilder(tenant.GetConnectionString()) { Database = Identifiers.RequireSafe(templateName, "Template") };
        template.ConnectionString = builder.ConnectionString;
        return template;
    }

    private static string DatabaseOf(Tenant tenant)
    {
        var builder = new NpgsqlConnectionStringBuilder(tenant.GetConnectionString());
        return builder.Database ?? builder.Username ?? "";
    }

    /// <summary>A session on the server's 'postgres' database, where databases are created from.</summary>
    private async Task<NpgsqlConnection> OpenMaintenanceAsync(Tenant tenant, ConnectionLimits limits, CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString(tenant, limits)) { Database = "postgres", Pooling = false };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }

    /// <summary>
    /// Runs a CREATE DATABASE. A database created meanwhile by another runner is fine; missing privileges and a busy
    /// template become errors that name the tenant or the template. A busy template is tried again a few times, since
    /// a session that has just read it may still be closing.
    /// </summary>
    private static async Task CreateDatabaseAsync(NpgsqlConnection server, Tenant tenant, string sql, Tenant? template, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var command = new NpgsqlCommand(sql, server) { CommandTimeout = 0 };
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DuplicateDatabase && template is null)
            {
                return;
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege)
            {
                throw new Provisioning.ProvisioningException(ErrorIds.CreateDenied, $"tenant '{tenant.Name}': the connection may not create database '{DatabaseOf(tenant)}' ({ex.MessageText}); grant CREATEDB to its role or create the database first.", ex);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.ObjectInUse && template is not null && attempt < 5)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.ObjectInUse && template is not null)
            {
                throw new Provisioning.ProvisioningException(ErrorIds.TemplateUnusable, $"template database '{DatabaseOf(template)}' is being accessed by other sessions; CREATE DATABASE ... TEMPLATE needs it idle: close them (see pg_stat_activity) and try again.", ex);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InvalidCatalogName && template is not null)
            {
                throw new Provisioning.ProvisioningException(ErrorIds.TemplateUnusable, $"template database '{DatabaseOf(template)}' not found.", ex);
            }
        }
    }

    private sealed class AdvisoryLock(DbConnection connection, long key) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            if (connection.State != System.Data.ConnectionState.Open) return;
            try
            {
                await using var command = connection.CreateCommand();
                command.CommandText = "SELECT pg_advisory_unlock(@key)";
                command.Parameters.Add(new NpgsqlParameter("key", key));
                await command.ExecuteScalarAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is NpgsqlException or IOException or InvalidOperationException)
            {
                // A broken session has already lost its advisory locks with it.
            }
        }
    }
}

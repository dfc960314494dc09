using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Journal;
using TenantMigrations.MySql;

namespace TenantMigrations.Engine.Dialects.MySql;

/// <summary>
/// MySQL and MariaDB, one database per tenant (the connection string's Database). DDL is not transactional
/// there, so every migration is journaled 'running' first and its statements run one by one. The tenant
/// lock is GET_LOCK on a name derived from (database, journal table).
/// </summary>
public sealed class MySqlDialect : IDatabaseDialect
{
    private MySqlSchemaRenderer? schemaRenderer;

    public Schema.Typed.ISchemaRenderer SchemaRenderer => schemaRenderer ??= new MySqlSchemaRenderer(this);

    public DatabaseEngine Engine => DatabaseEngine.MySql;

    public bool SupportsTransactionalDdl => false;

    public string QuoteIdentifier(string identifier) => QuotedIdentifiers.Quote(identifier, '`');

    /// <summary>
    /// A literal that means the same text whether or not the server runs with NO_BACKSLASH_ESCAPES:
    /// text with a backslash becomes a hex literal, which no sql_mode reinterprets.
    /// </summary>
    public string QuoteLiteral(string? value) =>
        value is null ? "NULL"
        : value.Contains('\\') ? $"_utf8mb4 X'{Convert.ToHexString(Encoding.UTF8.GetBytes(value))}'"
        : QuotedIdentifiers.StandardLiteral(value);

    private readonly Tenants.CheckedConnectionStrings checkedConnectionStrings = new(DatabaseEngine.MySql);

    public void Validate(Tenant tenant, bool forReading = false)
    {
        checkedConnectionStrings.Require(tenant);
        DatabaseOf(tenant);
    }

    private string DatabaseOf(Tenant tenant) => TargetOf(tenant).Database;

    /// <summary>Each connection string is read once for its database and its server: a status reads 3 facts of each tenant.</summary>
    private readonly ConcurrentDictionary<string, (string Database, string ServerKey)> targets = new(StringComparer.Ordinal);

    private (string Database, string ServerKey) TargetOf(Tenant tenant)
    {
        var connectionString = tenant.GetConnectionString();
        if (targets.TryGetValue(connectionString, out var target)) return target;
        var builder = new MySqlConnectionStringBuilder { ConnectionString = connectionString };
        var database = builder.Database;
        if (string.IsNullOrEmpty(database)) throw new ArgumentException($"Tenant '{tenant.Name}': a MySQL tenant's connection string needs Database=<the tenant's database>.");
        Identifiers.RequireSafe(database, $"Database of tenant '{tenant.Name}'");
        builder.Remove("Database");
        target = (database, WithLimits(builder, new()));
        targets.TryAdd(connectionString, target);
        return target;
    }

    public DbConnection CreateConnection(Tenant tenant, bool forWriting, ConnectionLimits? limits = null)
    {
        Tenants.TenantCredentials.ThrowIfUnavailable(tenant);
        return MySqlDriver.CreateConnection(WithLimits(new MySqlConnectionStringBuilder { ConnectionString = tenant.GetConnectionString() }, limits ?? new()));
    }

    private static string WithLimits(MySqlConnectionStringBuilder builder, ConnectionLimits limits)
    {
        if (limits.ConnectTimeout is { } connect) builder["Connection Timeout"] = Seconds(connect);
        builder["Default Command Timeout"] = Seconds(limits.CommandTimeout ?? ConnectionLimits.DefaultToolCommandTimeout);
        return builder.ConnectionString;
    }

    private static int Seconds(TimeSpan time) => (int)Math.Min(int.MaxValue, Math.Ceiling(time.TotalSeconds));

    public Task PrepareSessionAsync(DbConnection connection, Tenant tenant, CancellationToken cancellationToken) => Task.CompletedTask;

    public IReadOnlyList<string> SessionStatements(Tenant tenant) => [$"USE {QuoteIdentifier(DatabaseOf(tenant))}"];

    public string JournalTableName(Tenant tenant, string journalTable) => $"{QuoteIdentifier(DatabaseOf(tenant))}.{QuoteIdentifier(journalTable)}";

    public IReadOnlyList<string> CreateJournalStatements(Tenant tenant, string journalTable) =>
    [
        $"""
        CREATE TABLE IF NOT EXISTS {JournalTableName(tenant, journalTable)} (
            installed_rank INT NOT NULL PRIMARY KEY,
            version VARCHAR({JournalColumns.MaxVersionLength}) NULL,
            description VARCHAR({JournalColumns.MaxDescriptionLength}) NOT NULL,
            kind VARCHAR(20) NOT NULL,
            checksum VARCHAR(64) NULL,
            state VARCHAR(20) NOT NULL,
            started_at DATETIME(6) NOT NULL,
            finished_at DATETIME(6) NULL,
            duration_ms BIGINT NULL,
            applied_by VARCHAR({JournalColumns.MaxAppliedByLength}) NULL,
            run_id VARCHAR(64) NULL,
            tool_version VARCHAR(32) NULL,
            error LONGTEXT NULL,
            failed_statement LONGTEXT NULL,
            script_name VARCHAR({JournalColumns.MaxScriptNameLength}) NULL,
            script LONGTEXT NULL
        ) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4
        """,
    ];

    public async Task<IAsyncDisposable?> TryLockAsync(DbConnection connection, Tenant tenant, string journalTable, TimeSpan timeout, CancellationToken cancellationToken, string? runId = null)
    {
        var name = LockName(DatabaseOf(tenant), journalTable);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT GET_LOCK({QuoteLiteral(name)}, {(int)Math.Ceiling(timeout.TotalSeconds)})";
        command.CommandTimeout = 0;
        var acquired = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return acquired is not null and not DBNull && Convert.ToInt64(acquired, CultureInfo.InvariantCulture) == 1 ? new NamedLock(connection, name, this) : null;
    }

    /// <summary>GET_LOCK names are server-wide and at most 64 characters: a hash keeps them unique and short.</summary>
    public async Task<string?> DescribeLockHolderAsync(DbConnection connection, Tenant tenant, string journalTable, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT IS_USED_LOCK({QuoteLiteral(LockName(DatabaseOf(tenant), journalTable))})";
        var holder = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        if (holder is null or DBNull) return null;
        var holders = await DescribeHoldersAsync(connection, [Convert.ToInt64(holder, CultureInfo.InvariantCulture)], cancellationToken).ConfigureAwait(false);
        return holders.Values.Single();
    }

    /// <summary>
    /// Named locks belong to connections: the processlist gives the holder's user, host, database and how long it has
    /// been in its current state. MySQL does not tell which program or run opened a connection.
    /// </summary>
    private static async Task<Dictionary<long, string>> DescribeHoldersAsync(DbConnection connection, IReadOnlyCollection<long> connectionIds, CancellationToken cancellationToken)
    {
        var holders = connectionIds.Distinct().ToDictionary(id => id, id => LockHolderText.Describe($"connection {id.ToString(CultureInfo.InvariantCulture)}", null, null, null, "its user and host need the PROCESS privilege to be seen"));
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT ID, USER, HOST, DB, TIME FROM information_schema.PROCESSLIST WHERE ID IN ({string.Join(", ", holders.Keys.Select(id => id.ToString(CultureInfo.InvariantCulture)))})";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var id = Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture);
            var user = reader.IsDBNull(1) ? "?" : Convert.ToString(reader.GetValue(1), CultureInfo.InvariantCulture);
            var host = reader.IsDBNull(2) ? null : Convert.ToString(reader.GetValue(2), CultureInfo.InvariantCulture);
            var database = reader.IsDBNull(3) ? "none" : Convert.ToString(reader.GetValue(3), CultureInfo.InvariantCulture);
            var seconds = reader.IsDBNull(4) ? 0 : Convert.ToInt64(reader.GetValue(4), CultureInfo.InvariantCulture);
            holders[id] = LockHolderText.Describe($"connection {id.ToString(CultureInfo.InvariantCulture)} of user '{user}'", host, null, DateTime.UtcNow.AddSeconds(-seconds),
                $"database {database}; the time is when it entered its current state; MySQL does not tell the holder's program or run id");
        }
        return holders;
    }

    public static string LockName(string database, string journalTable) =>
        "tm:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{database}|{journalTable}")))[..48].ToLowerInvariant();

    public async Task<bool> HasTablesAsync(DbConnection connection, Tenant tenant, string journalTable, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name <> @table";
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@table";
        parameter.Value = journalTable;
        command.Parameters.Add(parameter);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    public async Task<JournalSnapshot> ReadJournalAsync(DbConnection connection, Tenant tenant, string journalTable, CancellationToken cancellationToken)
    {
        var snapshots = await ReadAsync(connection, [tenant], journalTable, checkLocks: false, cancellationToken).ConfigureAwait(false);
        return snapshots[tenant];
    }

    /// <summary>Tenants on the same server with the same credentials share one connection and one batched read.</summary>
    public string StatusBatchKey(Tenant tenant) => TargetOf(tenant).ServerKey;

    /// <summary>A session is a handshake and a login; the lock rides in the session's first round trip.</summary>
    public bool SessionsCostMoreThanLocks => true;

    public bool RunsInProcess => false;

    private static string ServerConnectionString(Tenant tenant, ConnectionLimits limits)
    {
        var builder = new MySqlConnectionStringBuilder { ConnectionString = tenant.GetConnectionString() };
        builder.Remove("Database");
        return WithLimits(builder, limits);
    }

    public async Task<IReadOnlyDictionary<Tenant, JournalSnapshot>> ReadJournalsAsync(IReadOnlyList<Tenant> tenants, string journalTable, ConnectionLimits limits, CancellationToken cancellationToken)
    {
        Tenants.TenantCredentials.ThrowIfUnavailable(tenants[0]);
        await using var connection = MySqlDriver.CreateConnection(ServerConnectionString(tenants[0], limits));
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ReadAsync(connection, tenants, journalTable, checkLocks: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// One round trip for any number of databases on one server: a multi-statement batch that asks which tenant locks
    /// are in use and SELECTs each journal. A database without a journal ends that batch with error 1146; then a
    /// second try asks information_schema first which databases have one, and reads only those.
    /// </summary>
    private async Task<IReadOnlyDictionary<Tenant, JournalSnapshot>> ReadAsync(DbConnection connection, IReadOnlyList<Tenant> tenants, string journalTable, bool checkLocks, CancellationToken cancellationToken)
    {
        var byDatabase = tenants.GroupBy(DatabaseOf).ToDictionary(g => g.Key, g => g.ToList());
        var databases = byDatabase.Keys.ToList();
        var entries = databases.ToDictionary(d => d, _ => new List<JournalEntry>(), StringComparer.OrdinalIgnoreCase);
        var holderIds = new Dictionary<string, long>();
        var withJournal = databases;
        try
        {
            await SelectJournalsAsync(connection, databases, checkLocks ? databases : [], journalTable, entries, holderIds, cancellationToken).ConfigureAwait(false);
        }
        catch (MySqlException ex) when (ex.Number == ErNoSuchTable)
        {
            foreach (var list in entries.Values) list.Clear();
            holderIds.Clear();
            withJournal = await DiscoverJournalsAsync(connection, databases, journalTable, checkLocks, holderIds, cancellationToken).ConfigureAwait(false);
            if (withJournal.Count > 0) await SelectJournalsAsync(connection, withJournal, [], journalTable, entries, holderIds, cancellationToken).ConfigureAwait(false);
        }

        var holders = holderIds.Count == 0 ? new Dictionary<long, string>() : await DescribeHoldersAsync(connection, holderIds.Values, cancellationToken).ConfigureAwait(false);
        var journals = withJournal.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var snapshots = new Dictionary<Tenant, JournalSnapshot>();
        foreach (var (database, databaseTenants) in byDatabase)
        {
            var holder = holderIds.TryGetValue(database, out var holderId) ? holders[holderId] : null;
            foreach (var tenant in databaseTenants) snapshots[tenant] = new JournalSnapshot(journals.Contains(database), entries[database], holder is not null, LockHolder: holder);
        }
        return snapshots;
    }

    /// <summary>ER_NO_SUCH_TABLE, also for a table in a database that does not exist.</summary>
    private const int ErNoSuchTable = 1146;

    /// <summary>The databases (as the server spells them) that have a journal; fills the lock holders when asked.</summary>
    private async Task<List<string>> DiscoverJournalsAsync(DbConnection connection, List<string> databases, string journalTable, bool checkLocks, Dictionary<string, long> holderIds, CancellationToken cancellationToken)
    {
        var withJournal = new List<string>();
        await using var discover = connection.CreateCommand();
        discover.CommandText =
            $"SELECT table_schema FROM information_schema.tables WHERE table_name = {QuoteLiteral(journalTable)} AND table_schema IN ({string.Join(", ", databases.Select(QuoteLiteral))}) ORDER BY table_schema"
            + (checkLocks ? $";\n{LocksInUse(databases, journalTable)}" : "");
        await using var reader = await discover.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) withJournal.Add(reader.GetString(0));
        if (checkLocks && await reader.NextResultAsync(cancellationToken).ConfigureAwait(false)) await ReadLocksInUseAsync(reader, databases, holderIds, cancellationToken).ConfigureAwait(false);
        return withJournal;
    }

    /// <summary>One batch: the locks of <paramref name="lockDatabases"/> in use (when any), then a SELECT per journal.</summary>
    private async Task SelectJournalsAsync(DbConnection connection, List<string> databases, List<string> lockDatabases, string journalTable, Dictionary<string, List<JournalEntry>> entries, Dictionary<string, long> holderIds, CancellationToken cancellationToken)
    {
        await using var read = connection.CreateCommand();
        var selects = databases.Select(d => $"SELECT {JournalColumns.StatusList} FROM {QuoteIdentifier(d)}.{QuoteIdentifier(journalTable)} ORDER BY installed_rank");
        read.CommandText = string.Join(";\n", lockDatabases.Count > 0 ? selects.Prepend(LocksInUse(lockDatabases, journalTable)) : selects);
        await using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (reader is MySqlDataReader mysqlReader) mysqlReader.TextPool = new Utf8TextPool();
        if (lockDatabases.Count > 0)
        {
            await ReadLocksInUseAsync(reader, lockDatabases, holderIds, cancellationToken).ConfigureAwait(false);
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        }
        foreach (var database in databases)
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) entries[database].Add(JournalColumns.Read(reader));
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private string LocksInUse(List<string> databases, string journalTable) =>
        $"SELECT {string.Join(", ", databases.Select(d => $"IS_USED_LOCK({QuoteLiteral(LockName(d, journalTable))})"))}";

    private static async Task ReadLocksInUseAsync(DbDataReader reader, List<string> databases, Dictionary<string, long> holderIds, CancellationToken cancellationToken)
    {
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return;
        for (var i = 0; i < databases.Count; i++)
        {
            if (!reader.IsDBNull(i)) holderIds[databases[i]] = Convert.ToInt64(reader.GetValue(i), CultureInfo.InvariantCulture);
        }
    }

    /// <summary>
    /// One round trip takes the lock (waiting on the server), asks whether the journal exists and applies the session
    /// settings; a second reads the journal, only when it exists and the lock was granted.
    /// </summary>
    public async Task<LockedSession> OpenLockedSessionAsync(DbConnection connection, Tenant tenant, string journalTable, TimeSpan lockTimeout, string? runId, IReadOnlyList<string> sessionSettings, CancellationToken cancellationToken)
    {
        var database = DatabaseOf(tenant);
        var name = LockName(database, journalTable);
        bool locked, journalExists;
        await using (var setup = connection.CreateCommand())
        {
            setup.CommandText = string.Join(";\n", new[]
            {
                $"SELECT GET_LOCK({QuoteLiteral(name)}, {(int)Math.Ceiling(lockTimeout.TotalSeconds)})",
                $"SELECT count(*) FROM information_schema.tables WHERE table_schema = {QuoteLiteral(database)} AND table_name = {QuoteLiteral(journalTable)}",
            }.Concat(sessionSettings));
            setup.CommandTimeout = 0;
            await using var reader = await setup.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            locked = !reader.IsDBNull(0) && Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture) == 1;
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            journalExists = Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture) > 0;
            while (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false))
            {
            }
        }
        if (!locked) return new LockedSession(null, JournalSnapshot.Empty);

        var entries = new List<JournalEntry>();
        if (journalExists)
        {
            await using var read = connection.CreateCommand();
            read.CommandText = $"SELECT {JournalColumns.StatusList} FROM {JournalTableName(tenant, journalTable)} ORDER BY installed_rank";
            await using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) entries.Add(JournalColumns.Read(reader));
        }
        return new LockedSession(new NamedLock(connection, name, this), new JournalSnapshot(journalExists, entries));
    }

    public IReadOnlyList<string> SplitStatements(string script) => SqlStatementSplitter.MySql.Split(script);

    /// <summary>lock_wait_timeout bounds metadata lock waits (DDL); it takes whole seconds, at least 1.</summary>
    public IReadOnlyList<string> DdlLockTimeoutStatements(TimeSpan timeout) =>
        [$"SET SESSION lock_wait_timeout = {(timeout <= TimeSpan.Zero ? 31_536_000 : Math.Max(1, Seconds(timeout))).ToString(CultureInfo.InvariantCulture)}"];

    /// <summary>1205 ER_LOCK_WAIT_TIMEOUT: the statement was not applied.</summary>
    public void SendAsWritten(DbParameterCollection parameters)
    {
    }

    public bool IsLockTimeout(Exception exception) => exception is MySqlException { Number: 1205 };

    /// <summary>A statement that holds semicolons of its own (a routine body) is wrapped in DELIMITER lines for the mysql client.</summary>
    public string ScriptStatement(string statement) =>
        statement.Contains(';') ? $"DELIMITER $$\n{statement}\n$$\nDELIMITER ;" : ScriptStatements.Terminated(statement);

    public bool IsTransient(Exception exception) => MySqlDriver.IsTransient(exception);

    public (string? SqlState, int? Position, string? Statement) DescribeError(Exception exception) =>
        exception is MySqlException mysql ? (mysql.SqlState, null, null) : (null, null, null);


    // Live-schema drift (Test-TenantSchema, CLI drift).

    public async Task<IReadOnlyDictionary<Tenant, Schema.SchemaSnapshot>> ReadSchemasAsync(IReadOnlyList<Tenant> tenants, IReadOnlySet<string> excludedTables, ConnectionLimits limits, CancellationToken cancellationToken)
    {
        await using var connection = MySqlDriver.CreateConnection(ServerConnectionString(tenants[0], limits));
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await MySqlCatalogReader.ReadAsync(connection, tenants, DatabaseOf, excludedTables, cancellationToken).ConfigureAwait(false);
    }

    public Schema.Drift.SuggestedFix SuggestFix(Schema.Drift.SchemaDrift drift) => new MySqlDriftFixes(this).Suggest(drift);
    // Provisioning (issue 9): creating tenants on purpose. MySQL has no cloning: a tenant is built by replaying its migrations.

    public string StoreDescription(Tenant tenant) => $"database '{DatabaseOf(tenant)}'";

    public bool MayExistWithoutConnecting(Tenant tenant) => true;

    /// <summary>1049 ER_BAD_DB_ERROR: "Unknown database".</summary>
    public bool IsMissingTenant(Exception exception) => exception is MySqlException { Number: 1049 };

    public Task<bool> StoreExistsAsync(DbConnection connection, Tenant tenant, CancellationToken cancellationToken) => Task.FromResult(true);

    public async Task<bool> TenantExistsAsync(Tenant tenant, ConnectionLimits limits, CancellationToken cancellationToken)
    {
        await using var connection = MySqlDriver.CreateConnection(ServerConnectionString(tenant, limits));
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = {QuoteLiteral(DatabaseOf(tenant))}";
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) > 0;
    }

    public async Task CreateDatabaseAsync(Tenant tenant, ConnectionLimits limits, CancellationToken cancellationToken)
    {
        await using var connection = MySqlDriver.CreateConnection(ServerConnectionString(tenant, limits));
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"CREATE DATABASE IF NOT EXISTS {QuoteIdentifier(DatabaseOf(tenant))} CHARACTER SET utf8mb4";
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (MySqlException ex) when (ex.Number is 1044 or 1045 or 1142 or 1227)
        {
            throw new Provisioning.ProvisioningException(ErrorIds.CreateDenied, $"tenant '{tenant.Name}': the connection may not create database '{DatabaseOf(tenant)}' ({ex.Message}); grant CREATE to its user or create the database first.", ex);
        }
    }

    public Task CloneAsync(Tenant templateTenant, Tenant tenant, string journalTable, ConnectionLimits limits, CancellationToken cancellationToken) =>
        throw new NotSupportedException("MySQL and MariaDB cannot clone a database; the tenant is built by replaying the migrations.");

    public Tenant TemplateFor(Tenant tenant, string templateName)
    {
        var template = tenant.Clone();
        template.Name = templateName;
        template.Properties = new(StringComparer.OrdinalIgnoreCase);
        var builder = new MySqlConnectionStringBuilder { ConnectionString = tenant.GetConnectionString() };
        builder.Database = Identifiers.RequireSafe(templateName, "Template");
        template.ConnectionString = builder.ConnectionString;
        return template;
    }

    private sealed class NamedLock(DbConnection connection, string name, MySqlDialect dialect) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            if (connection.State != System.Data.ConnectionState.Open) return;
            try
            {
                await using var command = connection.CreateCommand();
                command.CommandText = $"SELECT RELEASE_LOCK({dialect.QuoteLiteral(name)})";
                await command.ExecuteScalarAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is DbException or IOException or InvalidOperationException)
            {
                // A lost session has released its named locks already.
            }
        }
    }
}

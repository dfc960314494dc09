using System.Data.Common;
using System.Text;
using Microsoft.Data.Sqlite;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Journal;

namespace TenantMigrations.Engine.Dialects.Sqlite;

/// <summary>
/// SQLite, one file per tenant. The tenant lock is an exclusive lock on a file in a hidden folder beside the
/// database (<see cref="LockFolderName"/>), where tenant discovery never looks.
/// </summary>
public sealed class SqliteDialect : IDatabaseDialect
{
    private SqliteSchemaRenderer? schemaRenderer;

    public Schema.Typed.ISchemaRenderer SchemaRenderer => schemaRenderer ??= new SqliteSchemaRenderer(this, SqliteLibraryVersion());

    private static Version SqliteLibraryVersion()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        return Version.Parse(connection.ServerVersion);
    }

    public const string LockFolderName = ".tenantmigrations";

    private const string LockFileSuffix = ".lock";

    private static readonly byte[] DatabaseHeader = Encoding.ASCII.GetBytes("SQLite format 3\0");

    /// <summary>Files the tool or SQLite itself keeps beside a tenant's database, which are never tenants.</summary>
    public static bool IsToolOrSidecarFile(string path) =>
        path.Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar).Contains(LockFolderName)
        || path.EndsWith(".tmlock", StringComparison.OrdinalIgnoreCase)
        || path.EndsWith("-journal", StringComparison.Ordinal)
        || path.EndsWith("-wal", StringComparison.Ordinal)
        || path.EndsWith("-shm", StringComparison.Ordinal);

    public static string LockPath(string databasePath) =>
        Path.Combine(Path.GetDirectoryName(databasePath)!, LockFolderName, Path.GetFileName(databasePath) + LockFileSuffix);

    public DatabaseEngine Engine => DatabaseEngine.Sqlite;

    public bool SupportsTransactionalDdl => true;

    public string QuoteIdentifier(string identifier) => QuotedIdentifiers.Quote(identifier, '"');

    public string QuoteLiteral(string? value) => QuotedIdentifiers.StandardLiteral(value);

    private readonly Tenants.CheckedConnectionStrings checkedConnectionStrings = new(DatabaseEngine.Sqlite);

    public void Validate(Tenant tenant)
    {
        checkedConnectionStrings.Require(tenant.GetConnectionString(), $"Tenant '{tenant.Name}'");
        RequireDatabaseFile(tenant, DatabasePath(tenant));
    }

    /// <summary>An existing file must be a SQLite database: anything else would be overwritten or fail mid-run.</summary>
    private static void RequireDatabaseFile(Tenant tenant, string path)
    {
        if (!File.Exists(path)) return;
        var header = new byte[DatabaseHeader.Length];
        int read;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        }
        if (read > 0 && !header.AsSpan(0, read).SequenceEqual(DatabaseHeader))
        {
            throw new ArgumentException($"Tenant '{tenant.Name}': {path} is not a SQLite database.");
        }
    }

    /// <summary>The tenant's database file as a full path. URI file names and in-memory databases are refused.</summary>
    public static string DatabasePath(Tenant tenant)
    {
        var builder = new SqliteConnectionStringBuilder(tenant.GetConnectionString());
        if (string.IsNullOrWhiteSpace(builder.DataSource) || builder.DataSource == ":memory:" || builder.Mode == SqliteOpenMode.Memory)
        {
            throw new ArgumentException($"Tenant '{tenant.Name}': a SQLite tenant needs a file, e.g. 'Data Source=tenants/{tenant.Name}.db'.");
        }
        if (builder.DataSource.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"Tenant '{tenant.Name}': the SQLite Data Source must be a file path, not a 'file:' URI.");
        }
        return Path.GetFullPath(builder.DataSource);
    }

    public DbConnection CreateConnection(Tenant tenant, bool forWriting, ConnectionLimits? limits = null)
    {
        Tenants.TenantCredentials.ThrowIfUnavailable(tenant);
        var path = DatabasePath(tenant);
        var builder = new SqliteConnectionStringBuilder(tenant.GetConnectionString()) { DataSource = path };
        if ((limits ?? new()).CommandTimeout is { } commandTimeout) builder.DefaultTimeout = (int)Math.Ceiling(commandTimeout.TotalSeconds);
        // A fleet of thousands of files must not keep thousands of pooled handles open.
        if (!tenant.GetConnectionString().Contains("pooling", StringComparison.OrdinalIgnoreCase)) builder.Pooling = false;
        if (forWriting)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        }
        else if (!File.Exists(path))
        {
            // Reading must not create the file: a tenant with no file yet reads as an empty journal.
            builder = new SqliteConnectionStringBuilder { DataSource = ":memory:" };
        }
        else
        {
            builder.Mode = SqliteOpenMode.ReadOnly;
        }
        return new SqliteConnection(builder.ConnectionString);
    }

    public Task PrepareSessionAsync(DbConnection connection, Tenant tenant, CancellationToken cancellationToken) => Task.CompletedTask;

    public string JournalTableName(Tenant tenant, string journalTable) => QuoteIdentifier(journalTable);

    public IReadOnlyList<string> CreateJournalStatements(Tenant tenant, string journalTable) =>
    [
        $"""
        CREATE TABLE IF NOT EXISTS {JournalTableName(tenant, journalTable)} (
            installed_rank INTEGER PRIMARY KEY,
            version TEXT,
            description TEXT NOT NULL,
            kind TEXT NOT NULL,
            checksum TEXT,
            state TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            duration_ms INTEGER,
            applied_by TEXT,
            run_id TEXT,
            tool_version TEXT,
            error TEXT,
            failed_statement TEXT,
            script_name TEXT,
            script TEXT
        )
        """,
    ];

    public IReadOnlyList<string> SessionStatements(Tenant tenant) => [];

    public async Task<IAsyncDisposable?> TryLockAsync(DbConnection connection, Tenant tenant, string journalTable, TimeSpan timeout, CancellationToken cancellationToken, string? runId = null)
    {
        var lockPath = LockPath(DatabasePath(tenant));
        Directory.CreateDirectory(Path.GetDirectoryName(lockPath)!);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                var stream = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                return new FileLock(stream, SqliteLockHolder.Write(lockPath, runId));
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken).ConfigureAwait(false);
            }
            catch (IOException)
            {
                return null;
            }
        }
    }

    public Task<string?> DescribeLockHolderAsync(DbConnection connection, Tenant tenant, string journalTable, CancellationToken cancellationToken) =>
        Task.FromResult(SqliteLockHolder.Read(LockPath(DatabasePath(tenant))));

    public async Task<bool> HasTablesAsync(DbConnection connection, Tenant tenant, string journalTable, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> @table";
        command.Parameters.Add(new SqliteParameter("@table", journalTable));
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    public async Task<JournalSnapshot> ReadJournalAsync(DbConnection connection, Tenant tenant, string journalTable, CancellationToken cancellationToken)
    {
        await using var exists = connection.CreateCommand();
        exists.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = @table";
        exists.Parameters.Add(new SqliteParameter("@table", journalTable));
        if (Convert.ToInt64(await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture) == 0) return JournalSnapshot.Empty;
        await using var select = connection.CreateCommand();
        select.CommandText = $"SELECT {JournalColumns.StatusList} FROM {JournalTableName(tenant, journalTable)} ORDER BY installed_rank";
        var entries = new List<JournalEntry>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) entries.Add(JournalColumns.Read(reader));
        return new JournalSnapshot(true, entries);
    }

    public string StatusBatchKey(Tenant tenant) => DatabasePath(tenant);

    /// <summary>Opening a file to read is cheap, and the lock creates and writes a file of its own: an up-to-date tenant is better read without it.</summary>
    public bool SessionsCostMoreThanLocks => false;

    /// <summary>
    /// A tenant whose lock is held is read without waiting: a migration's write transaction would otherwise keep the
    /// reader busy-waiting until it commits, and report a state that is already stale.
    /// </summary>
    public async Task<IReadOnlyDictionary<Tenant, JournalSnapshot>> ReadJournalsAsync(IReadOnlyList<Tenant> tenants, string journalTable, ConnectionLimits limits, CancellationToken cancellationToken)
    {
        var snapshots = new Dictionary<Tenant, JournalSnapshot>();
        foreach (var tenant in tenants)
        {
            var locked = IsLocked(tenant);
            await using var connection = CreateConnection(tenant, forWriting: false, locked ? limits with { CommandTimeout = TimeSpan.FromSeconds(1) } : limits);
            try
            {
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                var snapshot = await ReadJournalAsync(connection, tenant, journalTable, cancellationToken).ConfigureAwait(false);
                snapshots[tenant] = snapshot with { LockedByAnother = locked, LockHolder = locked ? SqliteLockHolder.Read(LockPath(DatabasePath(tenant))) : null };
            }
            catch (SqliteException ex) when (locked && IsTransient(ex))
            {
                snapshots[tenant] = new JournalSnapshot(JournalExists: true, [], LockedByAnother: true, LockHolder: SqliteLockHolder.Read(LockPath(DatabasePath(tenant))));
            }
        }
        return snapshots;
    }

    private static bool IsLocked(Tenant tenant)
    {
        var lockPath = LockPath(DatabasePath(tenant));
        if (!File.Exists(lockPath)) return false;
        try
        {
            using var probe = new FileStream(lockPath, FileMode.Open, FileAccess.Read, FileShare.None);
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    public IReadOnlyList<string> SplitStatements(string script) => SqlStatementSplitter.Sqlite.Split(script);

    public IReadOnlyList<string> DdlLockTimeoutStatements(TimeSpan timeout) => [];

    public void SendAsWritten(DbParameterCollection parameters)
    {
    }

    public bool IsLockTimeout(Exception exception) => false;

    public string ScriptStatement(string statement) => ScriptStatements.Terminated(statement);

    public bool IsTransient(Exception exception) => exception is SqliteException { SqliteErrorCode: 5 or 6 };

    public (string? SqlState, int? Position, string? Statement) DescribeError(Exception exception) =>
        exception is SqliteException sqlite ? ($"SQLITE_{sqlite.SqliteErrorCode}", null, null) : (null, null, null);

    // Provisioning (issue 9): a tenant's file is created on purpose, and can be a copy of a template file.

    public string StoreDescription(Tenant tenant) => $"SQLite file '{DatabasePath(tenant)}'";

    public bool MayExistWithoutConnecting(Tenant tenant) => File.Exists(DatabasePath(tenant));

    public bool IsMissingTenant(Exception exception) => false;

    public Task<bool> StoreExistsAsync(DbConnection connection, Tenant tenant, CancellationToken cancellationToken) => Task.FromResult(true);

    public Task<bool> TenantExistsAsync(Tenant tenant, ConnectionLimits limits, CancellationToken cancellationToken) => Task.FromResult(File.Exists(DatabasePath(tenant)));

    /// <summary>The file itself is created when the migration opens it for writing.</summary>
    public Task CreateDatabaseAsync(Tenant tenant, ConnectionLimits limits, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// SQLite's online backup copies the template page by page into the new file, consistent even while the template
    /// is in use, journal table included. The copy is written beside its final name and moved there when complete.
    /// </summary>
    public Task CloneAsync(Tenant templateTenant, Tenant tenant, string journalTable, ConnectionLimits limits, CancellationToken cancellationToken)
    {
        var template = templateTenant;
        var source = DatabasePath(template);
        if (!File.Exists(source)) throw new Provisioning.ProvisioningException(ErrorIds.TemplateUnusable, $"template SQLite file '{source}' not found.");
        RequireDatabaseFile(template, source);
        var target = DatabasePath(tenant);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var partial = target + ".tmcopy";
        try
        {
            using (var from = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = source, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ConnectionString))
            using (var to = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = partial, Pooling = false }.ConnectionString))
            {
                from.Open();
                to.Open();
                from.BackupDatabase(to);
            }
            File.Move(partial, target, overwrite: false);
        }
        finally
        {
            File.Delete(partial);
        }
        return Task.CompletedTask;
    }

    /// <summary>A template name is a file path, or a bare name for a file beside the tenant's with the same extension.</summary>
    public Tenant TemplateFor(Tenant tenant, string templateName)
    {
        var tenantPath = DatabasePath(tenant);
        var isPath = templateName.Contains('/') || templateName.Contains(Path.DirectorySeparatorChar) || Path.HasExtension(templateName);
        var path = isPath ? Path.GetFullPath(templateName) : Path.Combine(Path.GetDirectoryName(tenantPath)!, templateName + Path.GetExtension(tenantPath));
        var template = tenant.Clone();
        template.Name = isPath ? Path.GetFileNameWithoutExtension(templateName) : templateName;
        template.Properties = new(StringComparer.OrdinalIgnoreCase);
        template.ConnectionString = new SqliteConnectionStringBuilder { DataSource = path }.ConnectionString;
        return template;
    }

    /// <summary>The holder's note goes first, so that the next holder never finds a note of its own deleted.</summary>

    // Live-schema drift (Test-TenantSchema, CLI drift).

    /// <summary>Tenants that share a file share its schema: the file is opened read-only, never created.</summary>
    public async Task<IReadOnlyDictionary<Tenant, Schema.SchemaSnapshot>> ReadSchemasAsync(IReadOnlyList<Tenant> tenants, IReadOnlySet<string> excludedTables, ConnectionLimits limits, CancellationToken cancellationToken)
    {
        var path = DatabasePath(tenants[0]);
        if (!File.Exists(path)) throw new FileNotFoundException($"Tenant '{tenants[0].Name}': {path} does not exist.");
        await using var connection = (SqliteConnection)CreateConnection(tenants[0], forWriting: false, limits);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        var snapshot = await SqliteCatalogReader.ReadAsync(connection, excludedTables, cancellationToken).ConfigureAwait(false);
        return tenants.ToDictionary(t => t, _ => snapshot);
    }

    public Schema.Drift.SuggestedFix SuggestFix(Schema.Drift.SchemaDrift drift) => new SqliteDriftFixes(this).Suggest(drift);

    private sealed class FileLock(FileStream stream, string? holderPath) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            SqliteLockHolder.Remove(holderPath);
            return stream.DisposeAsync();
        }
    }
}

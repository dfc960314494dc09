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

    /// <summary>For reading, the file's header is left to SQLite, which refuses a file that is not a database on the first read.</summary>
    public void Validate(Tenant tenant, bool forReading = false)
    {
        checkedConnectionStrings.Require(tenant);
        var path = DatabasePath(tenant);
        if (!forReading) RequireDatabaseFile(tenant, path);
    }

    private static string NotADatabase(Tenant tenant, string path) => $"Tenant '{tenant.Name}': {path} is not a SQLite database.";

    /// <summary>An existing file must be a SQLite database: anything else would be overwritten or fail mid-run.</summary>
    private static void RequireDatabaseFile(Tenant tenant, string path)
    {
        Span<byte> header = stackalloc byte[DatabaseHeader.Length];
        int read;
        try
        {
            // A handle and one read: a buffered stream allocated 4 KB per file, and a fleet's status checks every file.
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            read = RandomAccess.Read(handle, header, 0);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException || (ex is UnauthorizedAccessException && Directory.Exists(path)))
        {
            // No file yet, or a folder in its place: there is no header to check, and opening the tenant says the rest.
            return;
        }
        if (read > 0 && !header[..read].SequenceEqual(DatabaseHeader))
        {
            throw new ArgumentException(NotADatabase(tenant, path));
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

    public DbConnection CreateConnection(Tenant tenant, bool forWriting, ConnectionLimits? limits = null) =>
        CreateConnection(tenant, DatabasePath(tenant), forWriting, limits);

    private static SqliteConnection CreateConnection(Tenant tenant, string path, bool forWriting, ConnectionLimits? limits)
    {
        Tenants.TenantCredentials.ThrowIfUnavailable(tenant);
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

    /// <summary>
    /// One statement, one read transaction: the journal is selected, and only when that fails is it asked whether the
    /// table exists at all (an existence check before every read would cost every tenant a second statement).
    /// </summary>
    public Task<JournalSnapshot> ReadJournalAsync(DbConnection connection, Tenant tenant, string journalTable, CancellationToken cancellationToken) =>
        ReadJournalAsync(connection, tenant, journalTable, shared: null, cancellationToken);

    private async Task<JournalSnapshot> ReadJournalAsync(DbConnection connection, Tenant tenant, string journalTable, SharedTexts? shared, CancellationToken cancellationToken)
    {
        await using var select = connection.CreateCommand();
        select.CommandText = $"SELECT {JournalColumns.StatusList} FROM {JournalTableName(tenant, journalTable)} ORDER BY installed_rank";
        SqliteDataReader reader;
        try
        {
            reader = (SqliteDataReader)await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == SQLitePCL.raw.SQLITE_ERROR)
        {
            if (await JournalExistsAsync(connection, journalTable, cancellationToken).ConfigureAwait(false)) throw;
            return JournalSnapshot.Empty;
        }
        await using (reader)
        {
            var entries = new List<JournalEntry>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) entries.Add(JournalColumns.Read(reader, shared: shared));
            return new JournalSnapshot(true, entries);
        }
    }

    private static async Task<bool> JournalExistsAsync(DbConnection connection, string journalTable, CancellationToken cancellationToken)
    {
        await using var exists = connection.CreateCommand();
        exists.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = @table";
        exists.Parameters.Add(new SqliteParameter("@table", journalTable));
        return Convert.ToInt64(await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    /// <summary>The files of one folder are read together: one batch, one retry pipeline and one look for the lock folder.</summary>
    public string StatusBatchKey(Tenant tenant) => Path.GetDirectoryName(DatabasePath(tenant))!;

    /// <summary>Opening a file to read is cheap, and the lock creates and writes a file of its own: an up-to-date tenant is better read without it.</summary>
    public bool SessionsCostMoreThanLocks => false;

    public bool RunsInProcess => true;

    /// <summary>
    /// Each file is opened and read on its own; a file that fails among others is left out of the answer (its caller
    /// reads it again alone, where the error is its own) and never fails its neighbours. A tenant whose lock is held is
    /// read without waiting: a migration's write transaction would otherwise keep the reader busy-waiting until it
    /// commits, and report a state that is already stale.
    /// </summary>
    public async Task<IReadOnlyDictionary<Tenant, JournalSnapshot>> ReadJournalsAsync(IReadOnlyList<Tenant> tenants, string journalTable, ConnectionLimits limits, CancellationToken cancellationToken)
    {
        var snapshots = new Dictionary<Tenant, JournalSnapshot>(tenants.Count);
        var notedLocks = new Dictionary<string, HashSet<string>>();
        var shared = new SharedTexts();
        foreach (var tenant in tenants)
        {
            try
            {
                snapshots[tenant] = await ReadJournalAsync(tenant, journalTable, limits, notedLocks, shared, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (tenants.Count > 1 && ex is not OperationCanceledException)
            {
            }
        }
        return snapshots;
    }

    /// <param name="notedLocks">Per lock folder, the locks whose holders left a note: only those are probed (probing every file's lock took 4% of the CPU of a 10,000-file status).</param>
    private async Task<JournalSnapshot> ReadJournalAsync(Tenant tenant, string journalTable, ConnectionLimits limits, Dictionary<string, HashSet<string>> notedLocks, SharedTexts shared, CancellationToken cancellationToken)
    {
        var path = DatabasePath(tenant);
        var lockPath = LockPath(path);
        var lockFolder = Path.GetDirectoryName(lockPath)!;
        if (!notedLocks.TryGetValue(lockFolder, out var noted)) notedLocks[lockFolder] = noted = SqliteLockHolder.NotedLocks(lockFolder);
        var locked = noted.Contains(lockPath) && IsLocked(lockPath);
        await using var connection = CreateConnection(tenant, path, forWriting: false, locked ? limits with { CommandTimeout = TimeSpan.FromSeconds(1) } : limits);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await BeginReadAsync(connection, cancellationToken).ConfigureAwait(false);
            var snapshot = await ReadJournalAsync(connection, tenant, journalTable, shared, cancellationToken).ConfigureAwait(false);
            return locked ? snapshot with { LockedByAnother = true, LockHolder = SqliteLockHolder.Read(lockPath) } : snapshot;
        }
        catch (SqliteException ex) when (locked && IsTransient(ex))
        {
            return new JournalSnapshot(JournalExists: true, [], LockedByAnother: true, LockHolder: SqliteLockHolder.Read(lockPath));
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == SQLitePCL.raw.SQLITE_NOTADB)
        {
            return JournalSnapshot.Invalid(NotADatabase(tenant, path));
        }
    }

    /// <summary>
    /// Opens the read transaction that the schema and then the journal are read in: otherwise SQLite takes and drops its
    /// file locks twice (to parse the schema, then to run the select), seven system calls more per file. The pragma
    /// takes the shared lock without parsing the schema. Closing the connection ends the transaction.
    /// </summary>
    private static async Task BeginReadAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using var begin = connection.CreateCommand();
        begin.CommandText = "BEGIN; PRAGMA user_version";
        await begin.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static bool IsLocked(string lockPath)
    {
        try
        {
            using var probe = File.OpenHandle(lockPath, FileMode.Open, FileAccess.Read, FileShare.None);
            return false;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
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

    /// <summary>
    /// Tenants that share a file share its schema. The files of a folder are each opened read-only, never created; a
    /// file that fails among others is left out of the answer (its caller reads it again alone, where the error is its own).
    /// </summary>
    public async Task<IReadOnlyDictionary<Tenant, Schema.SchemaSnapshot>> ReadSchemasAsync(IReadOnlyList<Tenant> tenants, IReadOnlySet<string> excludedTables, ConnectionLimits limits, CancellationToken cancellationToken)
    {
        var snapshots = new Dictionary<Tenant, Schema.SchemaSnapshot>();
        var files = tenants.GroupBy(DatabasePath).ToList();
        foreach (var file in files)
        {
            try
            {
                var snapshot = await ReadSchemaAsync(file.First(), file.Key, excludedTables, limits, cancellationToken).ConfigureAwait(false);
                foreach (var tenant in file) snapshots[tenant] = snapshot;
            }
            catch (Exception ex) when (files.Count > 1 && ex is not OperationCanceledException)
            {
            }
        }
        return snapshots;
    }

    private static async Task<Schema.SchemaSnapshot> ReadSchemaAsync(Tenant tenant, string path, IReadOnlySet<string> excludedTables, ConnectionLimits limits, CancellationToken cancellationToken)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Tenant '{tenant.Name}': {path} does not exist.");
        await using var connection = CreateConnection(tenant, path, forWriting: false, limits);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await SqliteCatalogReader.ReadAsync(connection, excludedTables, cancellationToken).ConfigureAwait(false);
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

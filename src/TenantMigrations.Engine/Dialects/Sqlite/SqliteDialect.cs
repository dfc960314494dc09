using System.Data.Common;
using Microsoft.Data.Sqlite;
using TenantMigrations.Engine.Journal;

namespace TenantMigrations.Engine.Dialects.Sqlite;

/// <summary>SQLite, one file per tenant. The tenant lock is an exclusive lock on a file beside the database.</summary>
public sealed class SqliteDialect : IDatabaseDialect
{
    public const string LockFileSuffix = ".tmlock";

    public DatabaseEngine Engine => DatabaseEngine.Sqlite;

    public bool SupportsTransactionalDdl => true;

    public string QuoteIdentifier(string identifier) => QuotedIdentifiers.Quote(identifier, '"');

    public string QuoteLiteral(string? value) => QuotedIdentifiers.StandardLiteral(value);

    public void Validate(Tenant tenant)
    {
        Tenants.ConnectionStringCheck.Require(Engine, tenant.GetConnectionString(), $"Tenant '{tenant.Name}'");
        DatabasePath(tenant);
    }

    public static string DatabasePath(Tenant tenant)
    {
        var builder = new SqliteConnectionStringBuilder(tenant.GetConnectionString());
        if (string.IsNullOrWhiteSpace(builder.DataSource) || builder.DataSource == ":memory:" || builder.Mode == SqliteOpenMode.Memory)
        {
            throw new ArgumentException($"Tenant '{tenant.Name}': a SQLite tenant needs a file, e.g. 'Data Source=tenants/{tenant.Name}.db'.");
        }
        return Path.GetFullPath(builder.DataSource);
    }

    public DbConnection CreateConnection(Tenant tenant, bool forWriting)
    {
        var path = DatabasePath(tenant);
        var builder = new SqliteConnectionStringBuilder(tenant.GetConnectionString()) { DataSource = path };
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

    public async Task<IAsyncDisposable?> TryLockAsync(DbConnection connection, Tenant tenant, string journalTable, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var lockPath = DatabasePath(tenant) + LockFileSuffix;
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                var stream = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                return new FileLock(stream);
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

    public async Task<JournalSnapshot> ReadJournalAsync(DbConnection connection, Tenant tenant, string journalTable, CancellationToken cancellationToken)
    {
        await using var exists = connection.CreateCommand();
        exists.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = @table";
        exists.Parameters.Add(new SqliteParameter("@table", journalTable));
        if (Convert.ToInt64(await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false)) == 0) return JournalSnapshot.Empty;
        await using var select = connection.CreateCommand();
        select.CommandText = $"SELECT {JournalColumns.StatusList} FROM {JournalTableName(tenant, journalTable)} ORDER BY installed_rank";
        var entries = new List<JournalEntry>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) entries.Add(JournalColumns.Read(reader));
        return new JournalSnapshot(true, entries);
    }

    public string StatusBatchKey(Tenant tenant) => DatabasePath(tenant);

    public async Task<IReadOnlyDictionary<Tenant, JournalSnapshot>> ReadJournalsAsync(IReadOnlyList<Tenant> tenants, string journalTable, CancellationToken cancellationToken)
    {
        var snapshots = new Dictionary<Tenant, JournalSnapshot>();
        foreach (var tenant in tenants)
        {
            await using var connection = CreateConnection(tenant, forWriting: false);
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var snapshot = await ReadJournalAsync(connection, tenant, journalTable, cancellationToken).ConfigureAwait(false);
            snapshots[tenant] = snapshot with { LockedByAnother = IsLocked(tenant) };
        }
        return snapshots;
    }

    private static bool IsLocked(Tenant tenant)
    {
        var lockPath = DatabasePath(tenant) + LockFileSuffix;
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

    public bool IsTransient(Exception exception) => exception is SqliteException { SqliteErrorCode: 5 or 6 };

    public (string? SqlState, int? Position, string? Statement) DescribeError(Exception exception) =>
        exception is SqliteException sqlite ? ($"SQLITE_{sqlite.SqliteErrorCode}", null, null) : (null, null, null);

    private sealed class FileLock(FileStream stream) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => stream.DisposeAsync();
    }
}

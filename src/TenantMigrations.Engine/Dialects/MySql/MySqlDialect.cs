using System.Data.Common;
using TenantMigrations.Engine.Journal;

namespace TenantMigrations.Engine.Dialects.MySql;

// Placeholder until the MySQL client lands: every member says so plainly.
public sealed class MySqlDialect : IDatabaseDialect
{
    private static NotSupportedException Pending() => new("MySQL/MariaDB tenants are not supported yet.");

    public DatabaseEngine Engine => DatabaseEngine.MySql;
    public bool SupportsTransactionalDdl => false;
    public string QuoteIdentifier(string identifier) => QuotedIdentifiers.Quote(identifier, '`');
    public string QuoteLiteral(string? value) => throw Pending();
    public void Validate(Tenant tenant) => throw new ArgumentException(Pending().Message);
    public DbConnection CreateConnection(Tenant tenant, bool forWriting) => throw Pending();
    public Task PrepareSessionAsync(DbConnection connection, Tenant tenant, CancellationToken cancellationToken) => throw Pending();
    public string JournalTableName(Tenant tenant, string journalTable) => QuoteIdentifier(journalTable);
    public IReadOnlyList<string> CreateJournalStatements(Tenant tenant, string journalTable) => throw Pending();
    public IReadOnlyList<string> SessionStatements(Tenant tenant) => [];
    public Task<IAsyncDisposable?> TryLockAsync(DbConnection connection, Tenant tenant, string journalTable, TimeSpan timeout, CancellationToken cancellationToken) => throw Pending();
    public Task<JournalSnapshot> ReadJournalAsync(DbConnection connection, Tenant tenant, string journalTable, CancellationToken cancellationToken) => throw Pending();
    public string StatusBatchKey(Tenant tenant) => tenant.Name;
    public Task<IReadOnlyDictionary<Tenant, JournalSnapshot>> ReadJournalsAsync(IReadOnlyList<Tenant> tenants, string journalTable, CancellationToken cancellationToken) => throw Pending();
    public IReadOnlyList<string> SplitStatements(string script) => SqlStatementSplitter.MySql.Split(script);
    public bool IsTransient(Exception exception) => false;
    public (string? SqlState, int? Position, string? Statement) DescribeError(Exception exception) => (null, null, null);
}

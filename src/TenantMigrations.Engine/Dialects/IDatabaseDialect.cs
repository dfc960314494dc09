using System.Data.Common;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Journal;

namespace TenantMigrations.Engine.Dialects;

/// <summary>
/// Everything that differs between database engines. A new engine plugs in by implementing this interface
/// and registering it in <see cref="DialectRegistry"/>.
/// </summary>
public interface IDatabaseDialect
{
    DatabaseEngine Engine { get; }

    /// <summary>Whether DDL and its journal row can commit in one transaction.</summary>
    bool SupportsTransactionalDdl { get; }

    /// <summary>Quotes an identifier, rejecting any that cannot be quoted safely.</summary>
    string QuoteIdentifier(string identifier);

    /// <summary>A SQL string literal, for exported scripts.</summary>
    string QuoteLiteral(string? value);

    /// <summary>
    /// Checks the tenant's connection settings and names (schema, database) before anything connects. A check
    /// <paramref name="forReading"/> only may leave out what reading the journal reports as clearly by itself (a SQLite
    /// file that is not a database): a fleet's status checks every tenant before the first read.
    /// </summary>
    void Validate(Tenant tenant, bool forReading = false);

    /// <summary>
    /// A connection to the tenant, not yet open. <paramref name="forWriting"/> false must not create anything (SQLite files).
    /// <paramref name="limits"/> set the connect timeout and the default command timeout of the tool's own commands.
    /// </summary>
    DbConnection CreateConnection(Tenant tenant, bool forWriting, ConnectionLimits? limits = null);

    /// <summary>Prepares an open session for the tenant (search_path for schema-per-tenant).</summary>
    Task PrepareSessionAsync(DbConnection connection, Tenant tenant, CancellationToken cancellationToken);

    /// <summary>The journal table, qualified and quoted.</summary>
    string JournalTableName(Tenant tenant, string journalTable);

    /// <summary>Statements that create the journal (and the tenant's schema) if missing.</summary>
    IReadOnlyList<string> CreateJournalStatements(Tenant tenant, string journalTable);

    /// <summary>Session statements an exported script starts with, such as SET search_path.</summary>
    IReadOnlyList<string> SessionStatements(Tenant tenant);

    /// <summary>
    /// Takes the tenant's migration lock, waiting up to <paramref name="timeout"/>; null when another runner holds it.
    /// The holder leaves its <paramref name="runId"/> where <see cref="DescribeLockHolderAsync"/> of another runner can read it.
    /// </summary>
    Task<IAsyncDisposable?> TryLockAsync(DbConnection connection, Tenant tenant, string journalTable, TimeSpan timeout, CancellationToken cancellationToken, string? runId = null);

    /// <summary>Who holds the tenant's migration lock ("locked by ... on host ... since ..."), or null when the engine does not tell.</summary>
    Task<string?> DescribeLockHolderAsync(DbConnection connection, Tenant tenant, string journalTable, CancellationToken cancellationToken);

    /// <summary>Reads one tenant's journal on an open session (an empty snapshot when the table does not exist yet).</summary>
    Task<JournalSnapshot> ReadJournalAsync(DbConnection connection, Tenant tenant, string journalTable, CancellationToken cancellationToken);

    /// <summary>
    /// Whether the tenant holds any table other than the journal (in its schema, database or file): an existing schema
    /// that baseline-on-migrate adopts instead of building from scratch.
    /// </summary>
    Task<bool> HasTablesAsync(DbConnection connection, Tenant tenant, string journalTable, CancellationToken cancellationToken);

    /// <summary>Tenants with the same key can have their journals read together by <see cref="ReadJournalsAsync"/>.</summary>
    string StatusBatchKey(Tenant tenant);

    /// <summary>
    /// Whether a session of its own costs the server more than the tenant lock does. Then a migrate does not read the
    /// journal of a tenant that is alone in its batch before migrating it: for a tenant with work, that read would be
    /// a second session.
    /// </summary>
    bool SessionsCostMoreThanLocks { get; }

    /// <summary>
    /// Whether the database does its work inside this process (an embedded engine): reading its journals then uses our
    /// own cores, and more readers than cores only contend for them.
    /// </summary>
    bool RunsInProcess { get; }

    /// <summary>
    /// Reads the journals of tenants that share a batch key in as few round trips as the engine allows.
    /// A tenant missing from the result could not be read with the others: the caller reads it again alone, and then
    /// the exception says why.
    /// </summary>
    Task<IReadOnlyDictionary<Tenant, JournalSnapshot>> ReadJournalsAsync(IReadOnlyList<Tenant> tenants, string journalTable, ConnectionLimits limits, CancellationToken cancellationToken);

    /// <summary>The statements of a script in the order they run: the whole script where the engine takes it in one go.</summary>
    IReadOnlyList<string> SplitStatements(string script);

    /// <summary>
    /// Session statements that bound how long DDL waits for a table lock (zero: no bound), or none where the engine
    /// has no such setting. A wait that runs out fails with an error <see cref="IsLockTimeout"/> recognizes.
    /// </summary>
    IReadOnlyList<string> DdlLockTimeoutStatements(TimeSpan timeout);

    /// <summary>Makes the driver send a migration statement exactly as written: no client-side splitting or rewriting.</summary>
    void SendAsWritten(DbParameterCollection parameters);

    /// <summary>A statement gave up waiting for a lock: nothing of that statement was applied.</summary>
    bool IsLockTimeout(Exception exception);

    /// <summary>
    /// One statement as the engine's own command-line client reads it from a script, terminator included, so that an
    /// exported script runs there as it would run here.
    /// </summary>
    string ScriptStatement(string statement);

    /// <summary>Connection-level failures worth retrying: refused, reset, too many connections, serialization failure.</summary>
    bool IsTransient(Exception exception);

    /// <summary>SQL state and position of a server error, when the driver exposes them.</summary>
    (string? SqlState, int? Position, string? Statement) DescribeError(Exception exception);

    // Live-schema drift (Test-TenantSchema, CLI drift): catalog readers and suggested fixes.

    /// <summary>
    /// Reads the live schemas of tenants that share a <see cref="StatusBatchKey"/> with one catalog query set, leaving
    /// out <paramref name="excludedTables"/> (the journal and the tool's own tables). Identifiers and schema names
    /// travel as parameters, never as SQL text.
    /// </summary>
    Task<IReadOnlyDictionary<Tenant, Schema.SchemaSnapshot>> ReadSchemasAsync(IReadOnlyList<Tenant> tenants, IReadOnlySet<string> excludedTables, ConnectionLimits limits, CancellationToken cancellationToken);

    /// <summary>The SQL that would remove one drift, for a suggested script a human reviews; no statements when there is no simple fix.</summary>
    Schema.Drift.SuggestedFix SuggestFix(Schema.Drift.SchemaDrift drift);

    // Typed migrations (issue 11): the engine's renderer of typed schema operations.

    /// <summary>Renders typed schema operations (.json migrations, the typed library API) to this engine's SQL.</summary>
    Schema.Typed.ISchemaRenderer SchemaRenderer { get; }

    // Provisioning (issue 9): tenants are created on purpose (New-Tenant, provision, migrate --create), never as a side effect.

    /// <summary>What holds the tenant, for messages: "SQLite file '/data/acme.db'", "schema 'acme'", "database 'acme'".</summary>
    string StoreDescription(Tenant tenant);

    /// <summary>False when the tenant surely does not exist, as far as can be told without connecting (a SQLite file); true otherwise.</summary>
    bool MayExistWithoutConnecting(Tenant tenant);

    /// <summary>Opening a connection failed because the tenant's database does not exist.</summary>
    bool IsMissingTenant(Exception exception);

    /// <summary>
    /// On an open session of a tenant whose journal is missing: whether the tenant's schema exists. True where an open
    /// session already proves the tenant exists (a database, a file).
    /// </summary>
    Task<bool> StoreExistsAsync(DbConnection connection, Tenant tenant, CancellationToken cancellationToken);

    /// <summary>Whether the tenant exists, asked from outside it (the server's catalog for a database per tenant).</summary>
    Task<bool> TenantExistsAsync(Tenant tenant, ConnectionLimits limits, CancellationToken cancellationToken);

    /// <summary>Creates the tenant's database (database per tenant) when it is missing; schemas and files are created by the migration itself.</summary>
    Task CreateDatabaseAsync(Tenant tenant, ConnectionLimits limits, CancellationToken cancellationToken);

    /// <summary>
    /// Creates the tenant as a copy of <paramref name="templateTenant"/>, tables, data and journal rows included.
    /// Throws <see cref="Provisioning.ProvisioningException"/> when the template cannot be copied; NotSupportedException
    /// where the engine has no cloning (the tenant is then built by replaying its migrations).
    /// </summary>
    Task CloneAsync(Tenant templateTenant, Tenant tenant, string journalTable, ConnectionLimits limits, CancellationToken cancellationToken);

    /// <summary>The template tenant called <paramref name="templateName"/> on the server (or in the folder) of <paramref name="tenant"/>.</summary>
    Tenant TemplateFor(Tenant tenant, string templateName);

    // Performance (perf): fewer round trips per tenant.

    /// <summary>
    /// Prepares the session, applies <paramref name="sessionSettings"/>, takes the tenant's migration lock and reads its
    /// journal, in as few round trips as the engine allows. The lock is null when another runner holds it.
    /// </summary>
    async Task<LockedSession> OpenLockedSessionAsync(DbConnection connection, Tenant tenant, string journalTable, TimeSpan lockTimeout, string? runId, IReadOnlyList<string> sessionSettings, CancellationToken cancellationToken)
    {
        await PrepareSessionAsync(connection, tenant, cancellationToken).ConfigureAwait(false);
        foreach (var setting in sessionSettings)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = setting;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        var tenantLock = await TryLockAsync(connection, tenant, journalTable, lockTimeout, cancellationToken, runId).ConfigureAwait(false);
        if (tenantLock is null) return new LockedSession(null, JournalSnapshot.Empty);
        return new LockedSession(tenantLock, await ReadJournalAsync(connection, tenant, journalTable, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Whether a batch sent without a transaction runs as one implicit transaction that any failure rolls back whole,
    /// so that a migration's statements, its journal row and the commit travel in one round trip.
    /// </summary>
    bool BatchesAreAtomic => false;

    /// <summary>
    /// The INSERT of a succeeded journal row that runs inside an atomic batch, where the server times the migration
    /// (started_at, finished_at and duration_ms come from the server, not from parameters); null: the portable INSERT.
    /// </summary>
    string? BatchedJournalInsertSql(string journalTableName) => null;
}

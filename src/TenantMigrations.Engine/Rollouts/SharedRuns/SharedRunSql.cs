using TenantMigrations.Engine.Dialects;

namespace TenantMigrations.Engine.Rollouts.SharedRuns;

/// <summary>
/// Every statement of the shared run store, for PostgreSQL and MySQL/MariaDB. Table names live here only; values
/// always travel as parameters and identifiers go through the dialect's quoting. Times are the server's, in UTC, so
/// runners on machines with skewed clocks agree on when a lease ends.
/// </summary>
internal sealed class SharedRunSql(IDatabaseDialect dialect)
{
    public const string RunsTable = "tenantmigrations_runs";
    public const string TenantsTable = "tenantmigrations_run_tenants";

    public const string Pending = "pending";
    public const string Claimed = "claimed";
    public const string Done = "done";
    public const string Failed = "failed";

    private bool IsPostgres => dialect.Engine == DatabaseEngine.Postgres;

    public string Runs => dialect.QuoteIdentifier(RunsTable);

    public string Tenants => dialect.QuoteIdentifier(TenantsTable);

    /// <summary>The server's current time.</summary>
    public string Now => IsPostgres ? "now()" : "UTC_TIMESTAMP(6)";

    /// <summary>The server's time plus the lease, given in milliseconds by the parameter @lease_ms.</summary>
    public string LeaseEnd => IsPostgres ? "(now() + @lease_ms * interval '1 millisecond')" : "TIMESTAMPADD(MICROSECOND, @lease_ms * 1000, UTC_TIMESTAMP(6))";

    public IReadOnlyList<string> CreateTables()
    {
        var time = IsPostgres ? "timestamptz" : "DATETIME(6)";
        var text = IsPostgres ? "text" : "LONGTEXT";
        var tableOptions = IsPostgres ? "" : " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";
        return
        [
            $"""
            CREATE TABLE IF NOT EXISTS {Runs} (
              run_id varchar(64) NOT NULL PRIMARY KEY,
              started_at {time} NOT NULL,
              tool_version varchar(64) NOT NULL,
              migrations_folder {text} NOT NULL,
              migrations_checksum varchar(64) NOT NULL,
              options_json {text} NOT NULL,
              tenant_count int NOT NULL,
              finished_at {time} NULL,
              summary_json {text} NULL
            ){tableOptions}
            """,
            $"""
            CREATE TABLE IF NOT EXISTS {Tenants} (
              run_id varchar(64) NOT NULL,
              tenant_name varchar(255) NOT NULL,
              state varchar(16) NOT NULL,
              claimed_by varchar(255) NULL,
              lease_until {time} NULL,
              outcome_json {text} NULL,
              finished_at {time} NULL,
              PRIMARY KEY (run_id, tenant_name)
            ){tableOptions}
            """,
        ];
    }

    /// <summary>The first runner inserts the run; the others find it.</summary>
    public string InsertRun() =>
        $"{InsertIgnore} INTO {Runs} (run_id, started_at, tool_version, migrations_folder, migrations_checksum, options_json, tenant_count) " +
        $"VALUES (@run, {Now}, @tool_version, @folder, @checksum, @options, 0){OnConflictIgnore}";

    /// <summary>A new tenant row for each of <paramref name="count"/> names @t0..; those already in the run stay as they are.</summary>
    public string InsertTenants(int count) =>
        $"{InsertIgnore} INTO {Tenants} (run_id, tenant_name, state) VALUES " +
        string.Join(", ", Enumerable.Range(0, count).Select(i => $"(@run, @t{i}, '{Pending}')")) + OnConflictIgnore;

    public string CountTenants() => $"UPDATE {Runs} SET tenant_count = (SELECT count(*) FROM {Tenants} WHERE run_id = @run) WHERE run_id = @run";

    /// <summary>A resume retries the failed tenants.</summary>
    public string RetryFailed() =>
        $"UPDATE {Tenants} SET state = '{Pending}', claimed_by = NULL, lease_until = NULL WHERE run_id = @run AND state = '{Failed}'";

    /// <summary>Locks up to @limit claimable rows (pending, or claimed under a lease that ran out) that no other runner is locking now.</summary>
    public string SelectClaimable(int excluded) =>
        $"SELECT tenant_name FROM {Tenants} WHERE run_id = @run " +
        $"AND (state = '{Pending}' OR (state = '{Claimed}' AND lease_until < {Now})){NotIn(excluded)} " +
        "ORDER BY tenant_name LIMIT @limit FOR UPDATE SKIP LOCKED";

    public string Claim(int count) =>
        $"UPDATE {Tenants} SET state = '{Claimed}', claimed_by = @runner, lease_until = {LeaseEnd} WHERE run_id = @run AND tenant_name IN ({Names(count)})";

    /// <summary>Moves the lease of the tenants this runner still holds.</summary>
    public string Renew(int count) =>
        $"UPDATE {Tenants} SET lease_until = {LeaseEnd} WHERE run_id = @run AND claimed_by = @runner AND state = '{Claimed}' AND tenant_name IN ({Names(count)})";

    /// <summary>Done always wins: whichever runner finished the tenant, it is done.</summary>
    public string MarkDone() =>
        $"UPDATE {Tenants} SET state = '{Done}', claimed_by = @runner, lease_until = NULL, outcome_json = @outcome, finished_at = {Now} WHERE run_id = @run AND tenant_name = @tenant";

    public string MarkFailed() =>
        $"UPDATE {Tenants} SET state = '{Failed}', claimed_by = @runner, lease_until = NULL, outcome_json = @outcome, finished_at = {Now} WHERE run_id = @run AND tenant_name = @tenant AND state <> '{Done}'";

    /// <summary>A tenant this runner claimed but did not start goes back to the others.</summary>
    public string Release() =>
        $"UPDATE {Tenants} SET state = '{Pending}', claimed_by = NULL, lease_until = NULL WHERE run_id = @run AND tenant_name = @tenant AND claimed_by = @runner AND state = '{Claimed}'";

    /// <summary>Rows left to do by anyone: pending, or claimed (by another runner, or under a lease that ran out).</summary>
    public string CountOpen(int excluded) =>
        $"SELECT count(*) FROM {Tenants} WHERE run_id = @run AND state IN ('{Pending}', '{Claimed}'){NotIn(excluded)}";

    public string Finish() =>
        $"UPDATE {Runs} SET finished_at = {Now}, summary_json = @summary WHERE run_id = @run";

    public string SelectRuns(bool one) =>
        $"SELECT run_id, started_at, tool_version, migrations_folder, migrations_checksum, options_json, tenant_count, finished_at, summary_json FROM {Runs}" +
        (one ? " WHERE run_id = @run" : "") + " ORDER BY started_at, run_id";

    public string SelectTenants() =>
        $"SELECT tenant_name, state, claimed_by, outcome_json FROM {Tenants} WHERE run_id = @run ORDER BY finished_at, tenant_name";

    private string InsertIgnore => IsPostgres ? "INSERT" : "INSERT IGNORE";

    private string OnConflictIgnore => IsPostgres ? " ON CONFLICT DO NOTHING" : "";

    private static string Names(int count) => string.Join(", ", Enumerable.Range(0, count).Select(i => $"@t{i}"));

    private static string NotIn(int excluded) =>
        excluded == 0 ? "" : " AND tenant_name NOT IN (" + string.Join(", ", Enumerable.Range(0, excluded).Select(i => $"@x{i}")) + ")";
}

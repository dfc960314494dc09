using System.Data.Common;
using TenantMigrations.Engine.Dialects;

namespace TenantMigrations.Engine.Journal;

/// <summary>Writes journal rows with portable, parameterized SQL: every driver we use takes @name parameters.</summary>
public sealed class JournalWriter(IDatabaseDialect dialect, Tenant tenant, string journalTable)
{
    private readonly string table = dialect.JournalTableName(tenant, journalTable);

    public async Task InsertAsync(DbConnection connection, DbTransaction? transaction, JournalEntry entry, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = InsertSql(table);
        AddInsertParameters(command.Parameters, command.CreateParameter, entry, serverTimed: false);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Adds the INSERT of a succeeded row to an atomic batch; the dialect may let the server time it.</summary>
    public DbBatchCommand AddInsert(DbBatch batch, JournalEntry entry)
    {
        var command = batch.CreateBatchCommand();
        var serverTimed = dialect.BatchedJournalInsertSql(table);
        command.CommandText = serverTimed ?? InsertSql(table);
        AddInsertParameters(command.Parameters, command.CreateParameter, entry, serverTimed is not null);
        batch.BatchCommands.Add(command);
        return command;
    }

    private static void AddInsertParameters(DbParameterCollection parameters, Func<DbParameter> create, JournalEntry entry, bool serverTimed)
    {
        void Add(string name, object? value) => parameters.Add(Parameter(create(), name, value));
        Add("rank", entry.InstalledRank);
        Add("version", entry.Version);
        Add("description", entry.Description);
        Add("kind", JournalColumns.KindText(entry.Kind));
        Add("checksum", entry.Checksum);
        Add("state", JournalColumns.StateText(entry.State));
        if (!serverTimed)
        {
            Add("started_at", entry.StartedAt);
            Add("finished_at", entry.FinishedAt);
            Add("duration_ms", entry.DurationMs);
        }
        Add("applied_by", entry.AppliedBy);
        Add("run_id", entry.RunId);
        Add("tool_version", entry.ToolVersion);
        Add("error", entry.Error);
        Add("failed_statement", entry.FailedStatement);
        Add("script_name", entry.ScriptName);
        Add("script", entry.Script);
    }

    public async Task FinishAsync(DbConnection connection, JournalEntry entry, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = FinishSql("");
        AddFinishParameters(command, entry, "");
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>How far a running, non-transactional migration got, kept in its row's error column until the row is finished.</summary>
    public async Task RecordProgressAsync(DbConnection connection, int installedRank, string progress, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"UPDATE {table} SET error = @error WHERE installed_rank = @rank";
        Add(command, "error", "running: " + progress);
        Add(command, "rank", installedRank);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Records one migration's outcome and the 'running' row of the next in one round trip, for engines that take
    /// several statements in one command text. Both autocommit, in this order, as two separate writes would.
    /// </summary>
    public async Task FinishAndInsertAsync(DbConnection connection, JournalEntry finished, JournalEntry running, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = FinishSql("finished_") + ";\n" + InsertSql(table);
        AddFinishParameters(command, finished, "finished_");
        AddInsertParameters(command.Parameters, command.CreateParameter, running, serverTimed: false);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private string FinishSql(string prefix) =>
        $"UPDATE {table} SET state = @{prefix}state, finished_at = @{prefix}finished_at, duration_ms = @{prefix}duration_ms, error = @{prefix}error, failed_statement = @{prefix}failed_statement WHERE installed_rank = @{prefix}rank";

    private static void AddFinishParameters(DbCommand command, JournalEntry entry, string prefix)
    {
        Add(command, prefix + "state", JournalColumns.StateText(entry.State));
        Add(command, prefix + "finished_at", entry.FinishedAt);
        Add(command, prefix + "duration_ms", entry.DurationMs);
        Add(command, prefix + "error", entry.Error);
        Add(command, prefix + "failed_statement", entry.FailedStatement);
        Add(command, prefix + "rank", entry.InstalledRank);
    }

    /// <summary>The insert as literal SQL, for exported scripts.</summary>
    public string InsertLiteral(JournalEntry entry)
    {
        string Literal(object? value) => value switch
        {
            null => "NULL",
            int or long => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)!,
            DateTime time => dialect.QuoteLiteral(time.ToString("yyyy-MM-dd HH:mm:ss.ffffff", System.Globalization.CultureInfo.InvariantCulture)),
            _ => dialect.QuoteLiteral(value.ToString()),
        };
        var values = new object?[]
        {
            entry.InstalledRank, entry.Version, entry.Description, JournalColumns.KindText(entry.Kind), entry.Checksum,
            JournalColumns.StateText(entry.State), entry.StartedAt, entry.FinishedAt, entry.DurationMs, entry.AppliedBy,
            entry.RunId, entry.ToolVersion, entry.Error, entry.FailedStatement, entry.ScriptName, entry.Script,
        };
        return $"INSERT INTO {table} ({JournalColumns.InsertList}) VALUES ({string.Join(", ", values.Select(Literal))})";
    }

    private static string InsertSql(string table) =>
        $"INSERT INTO {table} ({JournalColumns.InsertList}) VALUES (@rank, @version, @description, @kind, @checksum, @state, @started_at, @finished_at, @duration_ms, @applied_by, @run_id, @tool_version, @error, @failed_statement, @script_name, @script)";

    private static void Add(DbCommand command, string name, object? value) => command.Parameters.Add(Parameter(command.CreateParameter(), name, value));

    private static DbParameter Parameter(DbParameter parameter, string name, object? value)
    {
        parameter.ParameterName = "@" + name;
        parameter.Value = value ?? DBNull.Value;
        if (value is null) parameter.DbType = name.EndsWith("duration_ms", StringComparison.Ordinal) ? System.Data.DbType.Int64 : name.EndsWith("_at", StringComparison.Ordinal) ? System.Data.DbType.DateTime : System.Data.DbType.String;
        return parameter;
    }
}

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
        command.CommandText = $"UPDATE {table} SET state = @state, finished_at = @finished_at, duration_ms = @duration_ms, error = @error, failed_statement = @failed_statement WHERE installed_rank = @rank";
        Add(command, "state", JournalColumns.StateText(entry.State));
        Add(command, "finished_at", entry.FinishedAt);
        Add(command, "duration_ms", entry.DurationMs);
        Add(command, "error", entry.Error);
        Add(command, "failed_statement", entry.FailedStatement);
        Add(command, "rank", entry.InstalledRank);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
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
        if (value is null) parameter.DbType = name is "duration_ms" ? System.Data.DbType.Int64 : name.EndsWith("_at", StringComparison.Ordinal) ? System.Data.DbType.DateTime : System.Data.DbType.String;
        return parameter;
    }
}

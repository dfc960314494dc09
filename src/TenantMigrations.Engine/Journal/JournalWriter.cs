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
        Add(command, "rank", entry.InstalledRank);
        Add(command, "version", entry.Version);
        Add(command, "description", entry.Description);
        Add(command, "kind", JournalColumns.KindText(entry.Kind));
        Add(command, "checksum", entry.Checksum);
        Add(command, "state", JournalColumns.StateText(entry.State));
        Add(command, "started_at", entry.StartedAt);
        Add(command, "finished_at", entry.FinishedAt);
        Add(command, "duration_ms", entry.DurationMs);
        Add(command, "applied_by", entry.AppliedBy);
        Add(command, "run_id", entry.RunId);
        Add(command, "tool_version", entry.ToolVersion);
        Add(command, "error", entry.Error);
        Add(command, "failed_statement", entry.FailedStatement);
        Add(command, "script_name", entry.ScriptName);
        Add(command, "script", entry.Script);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
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

    /// <summary>How far a running, non-transactional migration got, kept in its row's error column until the row is finished.</summary>
    public async Task RecordProgressAsync(DbConnection connection, int installedRank, string progress, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"UPDATE {table} SET error = @error WHERE installed_rank = @rank";
        Add(command, "error", "running: " + progress);
        Add(command, "rank", installedRank);
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

    private static void Add(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@" + name;
        parameter.Value = value ?? DBNull.Value;
        if (value is null) parameter.DbType = name is "duration_ms" ? System.Data.DbType.Int64 : name.EndsWith("_at", StringComparison.Ordinal) ? System.Data.DbType.DateTime : System.Data.DbType.String;
        command.Parameters.Add(parameter);
    }
}

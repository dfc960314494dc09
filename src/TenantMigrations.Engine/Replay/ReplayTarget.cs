using System.Data.Common;
using TenantMigrations.Engine.Dialects;
using TenantMigrations.Engine.Execution;

namespace TenantMigrations.Engine.Replay;

/// <summary>A replay target must exist and be empty: no table other than the journal, and no journal row.</summary>
public static class ReplayTarget
{
    public static async Task EnsureEmptyAsync(IDatabaseDialect dialect, Tenant target, string journalTable, ConnectionLimits limits, CancellationToken cancellationToken)
    {
        if (TenantChecks.Problem(dialect, target) is { } problem) throw new RecordedHistoryException(ErrorIds.InvalidTenant, $"Target tenant '{target.Name}': {problem}");
        if (target.Engine == DatabaseEngine.Sqlite && !File.Exists(Dialects.Sqlite.SqliteDialect.DatabasePath(target)))
        {
            throw new RecordedHistoryException(ReplayErrorIds.TargetNotFound,
                $"Target tenant '{target.Name}': the SQLite file {Dialects.Sqlite.SqliteDialect.DatabasePath(target)} does not exist. Create the tenant first (New-Tenant, or an empty file).");
        }
        bool hasTables;
        int journalRows;
        await using (var connection = dialect.CreateConnection(target, forWriting: false, limits))
        {
            try
            {
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                await dialect.PrepareSessionAsync(connection, target, cancellationToken).ConfigureAwait(false);
                if (target.Engine == DatabaseEngine.Postgres && !await SchemaExistsAsync(connection, target.Schema ?? "public", cancellationToken).ConfigureAwait(false))
                {
                    throw new RecordedHistoryException(ReplayErrorIds.TargetNotFound,
                        $"Target tenant '{target.Name}': the schema \"{target.Schema}\" does not exist. Create the tenant first (New-Tenant, or CREATE SCHEMA).");
                }
                hasTables = await dialect.HasTablesAsync(connection, target, journalTable, cancellationToken).ConfigureAwait(false);
                var snapshot = await dialect.ReadJournalAsync(connection, target, journalTable, cancellationToken).ConfigureAwait(false);
                journalRows = snapshot.Entries.Count;
            }
            catch (Exception ex) when (ex is not (OperationCanceledException or RecordedHistoryException))
            {
                throw new RecordedHistoryException(ErrorIds.TenantUnreachable, $"Target tenant '{target.Name}' cannot be read (it must exist and be reachable): {Redaction.MessageOf(ex, target)}");
            }
        }
        if (hasTables || journalRows > 0)
        {
            var holds = hasTables && journalRows > 0 ? $"tables and {journalRows} journal row(s)" : hasTables ? "tables" : $"{journalRows} journal row(s)";
            throw new RecordedHistoryException(ReplayErrorIds.TargetNotEmpty,
                $"Target tenant '{target.Name}' is not empty: it holds {holds}. A history replays only into an empty tenant; choose a new tenant, or empty this one.");
        }
    }

    private static async Task<bool> SchemaExistsAsync(DbConnection connection, string schema, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM information_schema.schemata WHERE schema_name = @schema";
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@schema";
        parameter.Value = schema;
        command.Parameters.Add(parameter);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }
}

using System.Data.Common;
using System.Globalization;
using System.Text;
using TenantMigrations.Engine.Dialects;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Journal;

namespace TenantMigrations.Engine.Replay;

/// <summary>Reads a tenant's journal with the scripts it kept, never changing anything.</summary>
public static class HistoryReader
{
    public static async Task<RecordedHistory> ReadAsync(IDatabaseDialect dialect, Tenant tenant, string journalTable, ConnectionLimits limits, CancellationToken cancellationToken)
    {
        if (TenantChecks.Problem(dialect, tenant) is { } problem) throw new RecordedHistoryException(ErrorIds.InvalidTenant, $"Tenant '{tenant.Name}': {problem}");
        await using var connection = dialect.CreateConnection(tenant, forWriting: false, limits);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await dialect.PrepareSessionAsync(connection, tenant, cancellationToken).ConfigureAwait(false);
            var snapshot = await dialect.ReadJournalAsync(connection, tenant, journalTable, cancellationToken).ConfigureAwait(false);
            if (snapshot.UnreachableReason is not null) throw new RecordedHistoryException(snapshot.InvalidTenant ? ErrorIds.InvalidTenant : ErrorIds.TenantUnreachable, $"Tenant '{tenant.Name}': {snapshot.UnreachableReason}");
            if (!snapshot.JournalExists || snapshot.Entries.Count == 0)
            {
                throw new RecordedHistoryException(ReplayErrorIds.HistoryNotReplayable, $"Tenant '{tenant.Name}' has no journal rows in {journalTable}: nothing was ever applied there (or it does not exist).");
            }
            var scripts = await ReadScriptsAsync(connection, dialect.JournalTableName(tenant, journalTable), cancellationToken).ConfigureAwait(false);
            var entries = snapshot.Entries.Select(e => e with { Script = scripts.GetValueOrDefault(e.InstalledRank) }).ToList();
            return RecordedHistoryBuilder.Build(tenant, journalTable, entries);
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or RecordedHistoryException))
        {
            throw new RecordedHistoryException(ErrorIds.TenantUnreachable, $"Tenant '{tenant.Name}': the journal could not be read: {Redaction.MessageOf(ex, tenant)}");
        }
    }

    /// <summary>Status reads leave the scripts out; this reads them by rank with portable SQL on the prepared session.</summary>
    private static async Task<Dictionary<int, string?>> ReadScriptsAsync(DbConnection connection, string table, CancellationToken cancellationToken)
    {
        var scripts = new Dictionary<int, string?>();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT installed_rank, script FROM {table}";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var rank = Convert.ToInt32(reader.GetValue(0), CultureInfo.InvariantCulture);
            scripts[rank] = reader.IsDBNull(1) ? null : reader.GetValue(1) switch
            {
                byte[] bytes => Encoding.UTF8.GetString(bytes),
                var value => Convert.ToString(value, CultureInfo.InvariantCulture),
            };
        }
        return scripts;
    }
}

using System.Data.Common;
using TenantMigrations.Engine.Dialects;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;

namespace TenantMigrations.Engine.Rollouts;

/// <summary>
/// Runs the verify scripts of the versions a tenant just applied, on a connection of its own, inside a transaction
/// that is always rolled back (read-only intent). A script passes when every statement runs without error and every
/// statement that returns a result set returns at least one row. The journal is never touched.
/// </summary>
internal sealed class TenantVerifier(IDatabaseDialect dialect, MigrationSet set, ConnectionLimits limits)
{
    /// <summary>The failure of the first verify script that did not pass, or null when all passed (or none applies).</summary>
    public async Task<MigrationError?> VerifyAsync(Tenant tenant, IReadOnlyList<AppliedMigration> applied, CancellationToken cancellationToken)
    {
        var scripts = applied
            .Where(a => a.Kind == MigrationKind.Versioned && a.Version is not null)
            .Select(a => set.FindVerify(MigrationVersion.Parse(a.Version!))?.FileFor(tenant.Engine))
            .OfType<MigrationScript>()
            .ToList();
        if (scripts.Count == 0) return null;

        var values = Placeholders.ValuesFor(tenant, set.Settings);
        MigrationScript? current = null;
        try
        {
            await using var connection = dialect.CreateConnection(tenant, forWriting: false, limits);
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await dialect.PrepareSessionAsync(connection, tenant, cancellationToken).ConfigureAwait(false);
            foreach (var script in scripts)
            {
                current = script;
                if (Placeholders.Problems(script, values) is [var problem, ..]) return Failure(script, problem);
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    foreach (var statement in set.StatementsOf(script, dialect).Select(s => Placeholders.Render(s, values, dialect)))
                    {
                        if (!await ReturnsRowsIfQueryAsync(connection, transaction, statement, cancellationToken).ConfigureAwait(false))
                        {
                            return Failure(script, $"{script.FileName}: a query returned no row.", Redaction.Text(statement, tenant));
                        }
                    }
                }
                finally
                {
                    await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
                }
            }
            return null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var failing = current ?? scripts[0];
            return Failure(failing, $"{failing.FileName} failed: {Redaction.MessageOf(ex, tenant)}");
        }
    }

    private async Task<bool> ReturnsRowsIfQueryAsync(DbConnection connection, DbTransaction transaction, string statement, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = statement;
        dialect.SendAsWritten(command.Parameters);
        command.CommandTimeout = (int)Math.Ceiling((limits.CommandTimeout ?? ConnectionLimits.DefaultToolCommandTimeout).TotalSeconds);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var sawQuery = false;
        do
        {
            if (reader.FieldCount == 0) continue;
            sawQuery = true;
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return true;
        }
        while (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false));
        return !sawQuery;
    }

    private static MigrationError Failure(MigrationScript script, string message, string? statement = null) => new()
    {
        ErrorId = ErrorIds.VerificationFailed,
        Version = script.Version?.Text,
        Script = script.FileName,
        Statement = statement,
        Message = $"verification failed: {message}",
    };
}

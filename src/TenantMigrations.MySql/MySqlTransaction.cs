using System.Data;
using System.Data.Common;

namespace TenantMigrations.MySql;

/// <summary>START TRANSACTION … COMMIT/ROLLBACK. Disposing an uncommitted transaction rolls it back.</summary>
public sealed class MySqlTransaction : DbTransaction
{
    MySqlConnection? _connection;

    internal MySqlTransaction(MySqlConnection connection, IsolationLevel isolationLevel)
    {
        _connection = connection;
        IsolationLevel = isolationLevel;
    }

    public new MySqlConnection? Connection => _connection;
    protected override DbConnection? DbConnection => _connection;
    public override IsolationLevel IsolationLevel { get; }

    public override void Commit() => FinishAsync("COMMIT", false).GetAwaiter().GetResult();
    public override Task CommitAsync(CancellationToken cancellationToken = default) => FinishAsync("COMMIT", true).AsTask();
    public override void Rollback() => FinishAsync("ROLLBACK", false).GetAwaiter().GetResult();
    public override Task RollbackAsync(CancellationToken cancellationToken = default) => FinishAsync("ROLLBACK", true).AsTask();

    async ValueTask FinishAsync(string statement, bool async)
    {
        var connection = _connection is { } owner && owner.CurrentTransaction == this
            ? owner
            : throw new InvalidOperationException("The transaction has already been committed or rolled back, or its connection was closed.");
        await connection.ExecuteInternalAsync(statement, async).ConfigureAwait(false);
        connection.CurrentTransaction = null;
        _connection = null;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) RollbackIfPendingAsync(false).GetAwaiter().GetResult();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await RollbackIfPendingAsync(true).ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    async ValueTask RollbackIfPendingAsync(bool async)
    {
        var connection = _connection;
        _connection = null;
        if (connection is null || connection.CurrentTransaction != this) return;
        connection.CurrentTransaction = null;
        if (connection.IsUsable) await connection.ExecuteInternalAsync("ROLLBACK", async, throwOnError: false).ConfigureAwait(false);
    }
}

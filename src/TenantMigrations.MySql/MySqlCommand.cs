using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;

namespace TenantMigrations.MySql;

public sealed class MySqlCommand : DbCommand
{
    string _commandText = "";
    int? _commandTimeout;
    CommandCancellation? _running;

    public MySqlCommand() { }

    public MySqlCommand(string? commandText, MySqlConnection? connection = null)
    {
        CommandText = commandText;
        Connection = connection;
    }

    [AllowNull]
    public override string CommandText { get => _commandText; set => _commandText = value ?? ""; }

    /// <summary>Seconds; 0 = no timeout. Defaults to the connection string's "Default Command Timeout" (30).</summary>
    public override int CommandTimeout
    {
        get => _commandTimeout ?? (int)(Connection?.Settings.DefaultCommandTimeout ?? 30);
        set => _commandTimeout = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), "CommandTimeout must be >= 0.");
    }

    public override CommandType CommandType
    {
        get => CommandType.Text;
        set
        {
            if (value != CommandType.Text) throw new NotSupportedException("Only CommandType.Text is supported.");
        }
    }

    public override bool DesignTimeVisible { get; set; }
    public override UpdateRowSource UpdatedRowSource { get; set; }
    public new MySqlConnection? Connection { get; set; }
    public new MySqlTransaction? Transaction { get; set; }
    public new MySqlParameterCollection Parameters { get; } = new();

    protected override DbConnection? DbConnection
    {
        get => Connection;
        set => Connection = (MySqlConnection?)value;
    }

    protected override DbParameterCollection DbParameterCollection => Parameters;

    protected override DbTransaction? DbTransaction
    {
        get => Transaction;
        set => Transaction = (MySqlTransaction?)value;
    }

    public new MySqlParameter CreateParameter() => new();
    protected override DbParameter CreateDbParameter() => new MySqlParameter();

    /// <summary>Interrupts the running command with KILL QUERY (from a second connection).</summary>
    public override void Cancel() => Volatile.Read(ref _running)?.Cancel();

    public override void Prepare() { }

    public override int ExecuteNonQuery() => ExecuteNonQueryCoreAsync(false, default).GetAwaiter().GetResult();
    public override Task<int> ExecuteNonQueryAsync(CancellationToken cancellationToken) => ExecuteNonQueryCoreAsync(true, cancellationToken).AsTask();
    public override object? ExecuteScalar() => ExecuteScalarCoreAsync(false, default).GetAwaiter().GetResult();
    public override Task<object?> ExecuteScalarAsync(CancellationToken cancellationToken) => ExecuteScalarCoreAsync(true, cancellationToken).AsTask();
    public new MySqlDataReader ExecuteReader() => ExecuteReaderCoreAsync(CommandBehavior.Default, false, default).GetAwaiter().GetResult();
    public new MySqlDataReader ExecuteReader(CommandBehavior behavior) => ExecuteReaderCoreAsync(behavior, false, default).GetAwaiter().GetResult();
    public new Task<MySqlDataReader> ExecuteReaderAsync(CancellationToken cancellationToken = default) =>
        ExecuteReaderCoreAsync(CommandBehavior.Default, true, cancellationToken).AsTask();
    public new Task<MySqlDataReader> ExecuteReaderAsync(CommandBehavior behavior, CancellationToken cancellationToken = default) =>
        ExecuteReaderCoreAsync(behavior, true, cancellationToken).AsTask();

    protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior) => ExecuteReader(behavior);

    protected override async Task<DbDataReader> ExecuteDbDataReaderAsync(CommandBehavior behavior, CancellationToken cancellationToken) =>
        await ExecuteReaderCoreAsync(behavior, true, cancellationToken).ConfigureAwait(false);

    async ValueTask<int> ExecuteNonQueryCoreAsync(bool async, CancellationToken cancellationToken)
    {
        var reader = await ExecuteReaderCoreAsync(CommandBehavior.Default, async, cancellationToken).ConfigureAwait(false);
        try
        {
            while (await NextResultAsync(reader, async).ConfigureAwait(false)) { }
        }
        finally
        {
            await CloseAsync(reader, async).ConfigureAwait(false);
        }
        return reader.RecordsAffected;
    }

    async ValueTask<object?> ExecuteScalarCoreAsync(bool async, CancellationToken cancellationToken)
    {
        var reader = await ExecuteReaderCoreAsync(CommandBehavior.Default, async, cancellationToken).ConfigureAwait(false);
        try
        {
            object? result = null;
            if (reader.FieldCount > 0 && (async ? await reader.ReadAsync(cancellationToken).ConfigureAwait(false) : reader.Read()))
                result = reader.GetValue(0);
            while (await NextResultAsync(reader, async).ConfigureAwait(false)) { }
            return result;
        }
        finally
        {
            await CloseAsync(reader, async).ConfigureAwait(false);
        }
    }

    async ValueTask<MySqlDataReader> ExecuteReaderCoreAsync(CommandBehavior behavior, bool async, CancellationToken cancellationToken)
    {
        var connection = Connection ?? throw new InvalidOperationException("The command has no connection.");
        var session = connection.GetOpenSession();
        cancellationToken.ThrowIfCancellationRequested();
        var sql = SqlLiteralFormatter.Substitute(CommandText, Parameters, session.NoBackslashEscapes);
        if (string.IsNullOrWhiteSpace(sql)) throw new InvalidOperationException("CommandText is empty.");

        var cancellation = new CommandCancellation(connection, CommandTimeout, cancellationToken);
        Volatile.Write(ref _running, cancellation);
        try
        {
            return await MySqlDataReader.ExecuteAsync(connection, session, sql, cancellation, behavior, async).ConfigureAwait(false);
        }
        catch (MySqlException ex) when (session.IsBroken)
        {
            connection.MarkBroken();
            throw cancellation.IsRequested ? cancellation.CreateException(ex) : ex;
        }
    }

    static async ValueTask<bool> NextResultAsync(MySqlDataReader reader, bool async) =>
        async ? await reader.NextResultAsync().ConfigureAwait(false) : reader.NextResult();

    static async ValueTask CloseAsync(MySqlDataReader reader, bool async)
    {
        if (async) await reader.CloseAsync().ConfigureAwait(false);
        else reader.Close();
    }
}

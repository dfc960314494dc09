using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using TenantMigrations.MySql.Protocol;

namespace TenantMigrations.MySql;

public sealed class MySqlConnection : DbConnection
{
    MySqlConnectionStringBuilder _settings = new();
    string _connectionString = "";
    bool _hasBeenOpened;
    ServerSession? _session;
    ConnectionState _state = ConnectionState.Closed;
    string _database = "";
    MySqlDataReader? _activeReader;

    public MySqlConnection() { }

    public MySqlConnection(string? connectionString) => ConnectionString = connectionString;

    /// <summary>
    /// As given; after the first Open the password is removed (like MySqlConnector's Persist Security Info=false).
    /// </summary>
    [AllowNull]
    public override string ConnectionString
    {
        get => _hasBeenOpened && !_settings.PersistSecurityInfo ? _settings.WithoutPassword().ConnectionString : _connectionString;
        set
        {
            if (_state != ConnectionState.Closed) throw new InvalidOperationException("The connection string cannot change while the connection is open.");
            _settings = new MySqlConnectionStringBuilder(value ?? "");
            _connectionString = value ?? "";
            _database = _settings.Database;
            _hasBeenOpened = false;
        }
    }

    internal MySqlConnectionStringBuilder Settings => _settings;

    public override string Database => _database;
    public override string DataSource => _settings.Server;
    public override int ConnectionTimeout => (int)_settings.ConnectionTimeout;
    public override string ServerVersion => _session?.ServerVersion ?? throw new InvalidOperationException("The connection is not open.");
    public override ConnectionState State => _state;

    /// <summary>The server's connection (thread) id, as used by KILL.</summary>
    public int ServerThreadId => (int)(_session?.ConnectionId ?? 0);

    /// <summary>True when the session's sql_mode contains NO_BACKSLASH_ESCAPES (tracked from every OK/EOF packet).</summary>
    public bool NoBackslashEscapes => _session?.NoBackslashEscapes ?? false;

    /// <summary>Last insert id reported by the most recent OK packet.</summary>
    public long LastInsertId { get; internal set; }

    public bool IsEncrypted => _session?.IsTls ?? false;

    internal bool IsUsable => _session is { IsBroken: false } && _state == ConnectionState.Open;

    internal MySqlTransaction? CurrentTransaction { get; set; }

    protected override DbProviderFactory DbProviderFactory => MySqlClientFactory.Instance;

    public override void Open() => OpenCoreAsync(false, default).GetAwaiter().GetResult();
    public override Task OpenAsync(CancellationToken cancellationToken) => OpenCoreAsync(true, cancellationToken).AsTask();

    async ValueTask OpenCoreAsync(bool async, CancellationToken cancellationToken)
    {
        if (_state != ConnectionState.Closed) throw new InvalidOperationException($"The connection is already {_state}.");
        SetState(ConnectionState.Connecting);
        try
        {
            _session = await ServerSession.ConnectAsync(_settings, async, cancellationToken).ConfigureAwait(false);
            _database = _settings.Database;
            _hasBeenOpened = true;
            SetState(ConnectionState.Open);
        }
        catch
        {
            _session = null;
            SetState(ConnectionState.Closed);
            throw;
        }
    }

    public override void Close() => CloseCoreAsync(false).GetAwaiter().GetResult();
    public override Task CloseAsync() => CloseCoreAsync(true).AsTask();

    async ValueTask CloseCoreAsync(bool async)
    {
        // No need to drain an open reader: the session is about to end anyway.
        _activeReader?.Abandon();
        CurrentTransaction = null;
        if (_session is { } session)
        {
            _session = null;
            await session.QuitAsync(async).ConfigureAwait(false);
        }
        if (_state != ConnectionState.Closed) SetState(ConnectionState.Closed);
    }

    public override async ValueTask DisposeAsync()
    {
        await CloseCoreAsync(true).ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) Close();
        base.Dispose(disposing);
    }

    public override void ChangeDatabase(string databaseName) => ChangeDatabaseCoreAsync(databaseName, false).GetAwaiter().GetResult();

    public override Task ChangeDatabaseAsync(string databaseName, CancellationToken cancellationToken = default) =>
        ChangeDatabaseCoreAsync(databaseName, true).AsTask();

    async ValueTask ChangeDatabaseCoreAsync(string databaseName, bool async)
    {
        if (string.IsNullOrWhiteSpace(databaseName)) throw new ArgumentException("Database name is required.", nameof(databaseName));
        await RunSimpleAsync(CommandKind.InitDb, databaseName, async).ConfigureAwait(false);
        _database = databaseName;
    }

    /// <summary>COM_PING; false when the server does not answer (the connection is then broken).</summary>
    public bool Ping() => PingCoreAsync(false).GetAwaiter().GetResult();
    public Task<bool> PingAsync(CancellationToken cancellationToken = default) => PingCoreAsync(true).AsTask();

    async ValueTask<bool> PingCoreAsync(bool async)
    {
        try
        {
            await RunSimpleAsync(CommandKind.Ping, null, async).ConfigureAwait(false);
            return true;
        }
        catch (MySqlException) when (_session is null or { IsBroken: true })
        {
            return false;
        }
    }

    async ValueTask RunSimpleAsync(CommandKind command, string? argument, bool async)
    {
        var session = GetOpenSession();
        try
        {
            await session.ExecuteSimpleCommandAsync(command, argument, async).ConfigureAwait(false);
        }
        finally
        {
            if (session.IsBroken) MarkBroken();
        }
    }

    public new MySqlTransaction BeginTransaction() => BeginTransaction(IsolationLevel.Unspecified);
    public new MySqlTransaction BeginTransaction(IsolationLevel isolationLevel) => BeginTransactionCoreAsync(isolationLevel, false).GetAwaiter().GetResult();
    public new ValueTask<MySqlTransaction> BeginTransactionAsync(CancellationToken cancellationToken = default) =>
        BeginTransactionCoreAsync(IsolationLevel.Unspecified, true);
    public new ValueTask<MySqlTransaction> BeginTransactionAsync(IsolationLevel isolationLevel, CancellationToken cancellationToken = default) =>
        BeginTransactionCoreAsync(isolationLevel, true);

    protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel) => BeginTransaction(isolationLevel);

    protected override async ValueTask<DbTransaction> BeginDbTransactionAsync(IsolationLevel isolationLevel, CancellationToken cancellationToken) =>
        await BeginTransactionCoreAsync(isolationLevel, true).ConfigureAwait(false);

    async ValueTask<MySqlTransaction> BeginTransactionCoreAsync(IsolationLevel isolationLevel, bool async)
    {
        GetOpenSession();
        if (CurrentTransaction is not null) throw new InvalidOperationException("A transaction is already active; MySQL does not support nested transactions.");
        var level = isolationLevel switch
        {
            IsolationLevel.Unspecified => null,
            IsolationLevel.ReadUncommitted => "READ UNCOMMITTED",
            IsolationLevel.ReadCommitted => "READ COMMITTED",
            IsolationLevel.RepeatableRead => "REPEATABLE READ",
            IsolationLevel.Serializable => "SERIALIZABLE",
            _ => throw new NotSupportedException($"Isolation level {isolationLevel} is not supported by MySQL."),
        };
        if (level is not null) await ExecuteInternalAsync("SET TRANSACTION ISOLATION LEVEL " + level, async).ConfigureAwait(false);
        await ExecuteInternalAsync("START TRANSACTION", async).ConfigureAwait(false);
        var transaction = new MySqlTransaction(this, isolationLevel == IsolationLevel.Unspecified ? IsolationLevel.RepeatableRead : isolationLevel);
        CurrentTransaction = transaction;
        return transaction;
    }

    public new MySqlCommand CreateCommand() => new() { Connection = this };
    protected override DbCommand CreateDbCommand() => CreateCommand();

    internal ServerSession GetOpenSession()
    {
        if (_session is null || _state != ConnectionState.Open)
            throw new InvalidOperationException(_state == ConnectionState.Broken ? "The connection is broken; close and reopen it." : "The connection is not open.");
        if (_activeReader is not null) throw new InvalidOperationException("This connection already has an open data reader; close it first.");
        return _session;
    }

    internal void SetActiveReader(MySqlDataReader? reader) => _activeReader = reader;

    internal void MarkBroken()
    {
        if (_state == ConnectionState.Open) SetState(ConnectionState.Broken);
    }

    /// <summary>Runs driver-issued SQL (transactions, kill-flag reset) without parameters or timeout.</summary>
    internal async ValueTask ExecuteInternalAsync(string sql, bool async, bool throwOnError = true)
    {
        var session = GetOpenSession();
        try
        {
            var reader = await MySqlDataReader.ExecuteAsync(this, session, sql, null, CommandBehavior.Default, async).ConfigureAwait(false);
            if (async) await reader.CloseAsync().ConfigureAwait(false);
            else reader.Close();
        }
        catch (MySqlException) when (!throwOnError)
        {
        }
        finally
        {
            if (session.IsBroken) MarkBroken();
        }
    }

    void SetState(ConnectionState state)
    {
        var previous = _state;
        _state = state;
        OnStateChange(new StateChangeEventArgs(previous, state));
    }
}

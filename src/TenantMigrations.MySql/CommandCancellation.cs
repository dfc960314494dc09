namespace TenantMigrations.MySql;

/// <summary>
/// Watches one command execution for its timeout, <see cref="MySqlCommand.Cancel"/> and a caller's token.
/// MySQL cannot cancel on the wire, so a trigger sends KILL QUERY from a second, short-lived connection;
/// the interrupted result is drained on the main connection, which stays usable.
/// </summary>
internal sealed class CommandCancellation : IDisposable
{
    const int NotRequested = 0, TimedOut = 1, Canceled = 2;

    readonly MySqlConnection _connection;
    readonly int _timeoutSeconds;
    readonly CancellationToken _callerToken;
    readonly CancellationTokenSource? _timer;
    readonly CancellationTokenRegistration _timerRegistration;
    readonly CancellationTokenRegistration _callerRegistration;
    readonly object _gate = new();
    int _reason;
    bool _finished;
    Task? _kill;

    public CommandCancellation(MySqlConnection connection, int timeoutSeconds, CancellationToken callerToken)
    {
        _connection = connection;
        _timeoutSeconds = timeoutSeconds;
        _callerToken = callerToken;
        if (timeoutSeconds > 0)
        {
            _timer = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
            _timerRegistration = _timer.Token.Register(() => Trigger(TimedOut));
        }
        if (callerToken.CanBeCanceled) _callerRegistration = callerToken.Register(() => Trigger(Canceled));
    }

    public bool IsRequested => Volatile.Read(ref _reason) != NotRequested;

    public void Cancel() => Trigger(Canceled);

    public Exception CreateException(Exception? inner = null) => Volatile.Read(ref _reason) == TimedOut
        ? new MySqlException($"The command timed out after {_timeoutSeconds} seconds.", Protocol.ClientErrorCodes.CommandTimeout, "70100", inner)
        : new OperationCanceledException("The command was canceled.", inner, _callerToken.IsCancellationRequested ? _callerToken : default);

    void Trigger(int reason)
    {
        lock (_gate)
        {
            // After FinishAsync the connection may already run another command that a late KILL would hit.
            if (_finished || _reason != NotRequested) return;
            var threadId = _connection.ServerThreadId;
            var settings = _connection.Settings;
            Volatile.Write(ref _reason, reason);
            _kill = Task.Run(() => KillQueryAsync(settings, threadId));
        }
    }

    static async Task KillQueryAsync(MySqlConnectionStringBuilder settings, int threadId)
    {
        var killerSettings = new MySqlConnectionStringBuilder(settings.ConnectionString) { ConnectionTimeout = Math.Min(settings.ConnectionTimeout == 0 ? 10u : settings.ConnectionTimeout, 10u) };
        await using var killer = new MySqlConnection(killerSettings.ConnectionString);
        await killer.OpenAsync().ConfigureAwait(false);
        await using var command = killer.CreateCommand();
        command.CommandText = "KILL QUERY " + threadId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        command.CommandTimeout = 10;
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Waits for a pending KILL and clears the connection's kill flag (a KILL that lands after the query
    /// finished would otherwise hit the next statement).
    /// </summary>
    public async ValueTask FinishAsync(bool async)
    {
        Task? kill;
        lock (_gate)
        {
            _finished = true;
            kill = _kill;
            _kill = null;
        }
        Dispose();
        if (kill is null) return;
        try
        {
            if (async) await kill.ConfigureAwait(false);
            else kill.GetAwaiter().GetResult();
        }
        catch (Exception)
        {
            // A failed KILL only means the query ran to completion; the caller still gets the timeout/cancel error.
        }
        if (_connection.IsUsable) await _connection.ExecuteInternalAsync("DO SLEEP(0)", async, throwOnError: false).ConfigureAwait(false);
    }

    /// <summary>Stops watching without waiting for a pending KILL (the connection is closing).</summary>
    public void Abandon()
    {
        lock (_gate) _finished = true;
        Dispose();
    }

    public void Dispose()
    {
        _timerRegistration.Dispose();
        _callerRegistration.Dispose();
        _timer?.Dispose();
    }
}

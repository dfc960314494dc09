using System.Collections;
using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using TenantMigrations.MySql.Protocol;

namespace TenantMigrations.MySql;

/// <summary>
/// Streams the results of one COM_QUERY (text protocol). Statements that return no rows do not count as result sets;
/// their affected-row counts are summed into <see cref="RecordsAffected"/>. Zero dates ('0000-00-00') read as DBNull.
/// Closing/disposing drains the remaining results (and throws if a later statement failed).
/// </summary>
public sealed class MySqlDataReader : DbDataReader
{
    readonly MySqlConnection _connection;
    readonly ServerSession _session;
    readonly CommandCancellation? _cancellation;
    readonly CommandBehavior _behavior;
    ColumnDefinition[] _columns = [];
    bool _inRows;
    bool _commandDone;
    bool _closed;
    bool _draining;
    long _recordsAffected = -1;
    byte[]? _row;
    byte[]? _peeked;
    bool _hasReadRow;
    int[] _valueOffsets = [];
    int[] _valueLengths = [];

    MySqlDataReader(MySqlConnection connection, ServerSession session, CommandCancellation? cancellation, CommandBehavior behavior)
    {
        _connection = connection;
        _session = session;
        _cancellation = cancellation;
        _behavior = behavior;
    }

    internal static async ValueTask<MySqlDataReader> ExecuteAsync(MySqlConnection connection, ServerSession session, string sql,
        CommandCancellation? cancellation, CommandBehavior behavior, bool async)
    {
        var reader = new MySqlDataReader(connection, session, cancellation, behavior);
        connection.SetActiveReader(reader);
        try
        {
            await session.SendCommandAsync(CommandKind.Query, sql, async).ConfigureAwait(false);
            await reader.AdvanceToNextResultSetAsync(async).ConfigureAwait(false);
            return reader;
        }
        catch
        {
            await reader.CloseQuietlyAsync(async).ConfigureAwait(false);
            throw;
        }
    }

    public override int Depth => 0;
    public override int FieldCount => _columns.Length;
    public override bool HasRows
    {
        get
        {
            if (_row is not null || _hasReadRow) return true;
            if (!_inRows || _closed) return false;
            _peeked ??= ReadPacketAsync(false).GetAwaiter().GetResult();
            return !OkPacket.IsEndOfRows(_peeked) && !ErrorPacket.IsError(_peeked);
        }
    }
    public override bool IsClosed => _closed;
    public override int RecordsAffected => _recordsAffected > int.MaxValue ? int.MaxValue : (int)_recordsAffected;
    public override object this[int ordinal] => GetValue(ordinal);
    public override object this[string name] => GetValue(GetOrdinal(name));

    public override bool Read() => ReadCoreAsync(false).GetAwaiter().GetResult();
    public override Task<bool> ReadAsync(CancellationToken cancellationToken) => ReadCoreAsync(true).AsTask();
    public override bool NextResult() => NextResultCoreAsync(false).GetAwaiter().GetResult();
    public override Task<bool> NextResultAsync(CancellationToken cancellationToken) => NextResultCoreAsync(true).AsTask();
    public override void Close() => CloseCoreAsync(false).GetAwaiter().GetResult();
    public override Task CloseAsync() => CloseCoreAsync(true).AsTask();

    public override async ValueTask DisposeAsync()
    {
        await CloseCoreAsync(true).ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) Close();
        base.Dispose(disposing);
    }

    async ValueTask<bool> ReadCoreAsync(bool async)
    {
        ThrowIfClosed();
        if (!_inRows) return false;
        var packet = _peeked ?? await ReadPacketAsync(async).ConfigureAwait(false);
        _peeked = null;
        if (ErrorPacket.IsError(packet)) throw EndCommandWithError(packet);
        if (OkPacket.IsEndOfRows(packet))
        {
            _inRows = false;
            _row = null;
            EndOfResult(OkPacket.ParseEndOfRows(packet, _session.DeprecateEof).Status);
            return false;
        }
        ParseRow(packet);
        _hasReadRow = true;
        return true;
    }

    async ValueTask<bool> NextResultCoreAsync(bool async)
    {
        ThrowIfClosed();
        while (_inRows) await ReadCoreAsync(async).ConfigureAwait(false);
        _row = null;
        _columns = [];
        if (_commandDone) return false;
        return await AdvanceToNextResultSetAsync(async).ConfigureAwait(false);
    }

    /// <summary>Reads result headers until one with columns (true) or the end of the command (false).</summary>
    async ValueTask<bool> AdvanceToNextResultSetAsync(bool async)
    {
        while (true)
        {
            var packet = await ReadPacketAsync(async).ConfigureAwait(false);
            if (ErrorPacket.IsError(packet)) throw EndCommandWithError(packet);
            if (OkPacket.IsOk(packet))
            {
                var ok = OkPacket.Parse(packet);
                _recordsAffected = Math.Max(_recordsAffected, 0) + (long)ok.AffectedRows;
                _connection.LastInsertId = (long)ok.LastInsertId;
                EndOfResult(ok.Status);
                if (_commandDone) return false;
                continue;
            }
            if (packet[0] == 0xFB)
                throw new MySqlException("LOAD DATA LOCAL INFILE is not supported.", ClientErrorCodes.MalformedPacket);

            var columnCount = checked((int)new PayloadReader(packet).ReadLengthEncodedInteger());
            var columns = new ColumnDefinition[columnCount];
            for (var i = 0; i < columnCount; i++)
                columns[i] = ColumnDefinition.Parse(await ReadPacketAsync(async).ConfigureAwait(false));
            if (!_session.DeprecateEof)
            {
                var eof = await ReadPacketAsync(async).ConfigureAwait(false);
                if (ErrorPacket.IsError(eof)) throw EndCommandWithError(eof);
            }
            _columns = columns;
            _hasReadRow = false;
            _valueOffsets = new int[columnCount];
            _valueLengths = new int[columnCount];
            _inRows = true;
            return true;
        }
    }

    void EndOfResult(ServerStatusFlags status)
    {
        _session.UpdateStatus(status);
        if (!status.HasFlag(ServerStatusFlags.MoreResultsExist)) _commandDone = true;
    }

    Exception EndCommandWithError(byte[] packet)
    {
        // An ERR always ends the whole command, later statements of a batch are not executed.
        _commandDone = true;
        _inRows = false;
        _row = null;
        var error = ErrorPacket.ToException(packet);
        return _cancellation is { IsRequested: true } && !_draining ? _cancellation.CreateException(error) : error;
    }

    async ValueTask<byte[]> ReadPacketAsync(bool async)
    {
        var packet = await _session.ReadPacketAsync(async).ConfigureAwait(false);
        if (_cancellation is { IsRequested: true } && !_draining && !ErrorPacket.IsError(packet))
        {
            // The query finished (or was interrupted without an error, e.g. SLEEP returning 1): consume the rest, then report.
            _draining = true;
            MySqlException? interruption = null;
            try
            {
                await DrainAfterPacketAsync(packet, async).ConfigureAwait(false);
            }
            catch (MySqlException ex) when (!_session.IsBroken)
            {
                interruption = ex; // typically 1317 "Query execution was interrupted"
            }
            throw _cancellation.CreateException(interruption);
        }
        return packet;
    }

    async ValueTask DrainAfterPacketAsync(byte[] packet, bool async)
    {
        // Re-interpret the already-read packet in the current state, then drain normally.
        if (_inRows)
        {
            if (ErrorPacket.IsError(packet)) { EndCommandWithError(packet); return; }
            if (OkPacket.IsEndOfRows(packet))
            {
                _inRows = false;
                EndOfResult(OkPacket.ParseEndOfRows(packet, _session.DeprecateEof).Status);
            }
        }
        else if (OkPacket.IsOk(packet))
        {
            EndOfResult(OkPacket.Parse(packet).Status);
        }
        else
        {
            // A result-set header: read its column definitions (+EOF) and continue in rows.
            var columnCount = checked((int)new PayloadReader(packet).ReadLengthEncodedInteger());
            for (var i = 0; i < columnCount; i++) await _session.ReadPacketAsync(async).ConfigureAwait(false);
            if (!_session.DeprecateEof) await _session.ReadPacketAsync(async).ConfigureAwait(false);
            _columns = [];
            _inRows = true;
        }
        while (!_commandDone || _inRows)
        {
            if (_inRows) await ReadCoreAsync(async).ConfigureAwait(false);
            else await AdvanceToNextResultSetAsync(async).ConfigureAwait(false);
        }
    }

    void ParseRow(byte[] packet)
    {
        var reader = new PayloadReader(packet);
        for (var i = 0; i < _columns.Length; i++)
        {
            var length = reader.ReadLengthEncodedIntegerOrNull();
            _valueOffsets[i] = reader.Offset;
            _valueLengths[i] = length is null ? -1 : checked((int)length.Value);
            if (length is not null) reader.Skip((int)length.Value);
        }
        _row = packet;
    }

    async ValueTask CloseCoreAsync(bool async)
    {
        if (_closed) return;
        try
        {
            while (!_session.IsBroken && await NextResultCoreAsync(async).ConfigureAwait(false)) { }
        }
        finally
        {
            _closed = true;
            _connection.SetActiveReader(null);
            if (_cancellation is not null) await _cancellation.FinishAsync(async).ConfigureAwait(false);
            if (_behavior.HasFlag(CommandBehavior.CloseConnection))
            {
                if (async) await _connection.CloseAsync().ConfigureAwait(false);
                else _connection.Close();
            }
        }
    }

    /// <summary>Marks the reader closed without reading further; used when the connection itself closes.</summary>
    internal void Abandon()
    {
        _closed = true;
        _inRows = false;
        _row = null;
        _connection.SetActiveReader(null);
        _cancellation?.Abandon();
    }

    internal async ValueTask CloseQuietlyAsync(bool async)
    {
        try
        {
            await CloseCoreAsync(async).ConfigureAwait(false);
        }
        catch (MySqlException)
        {
        }
    }

    void ThrowIfClosed()
    {
        if (_closed) throw new InvalidOperationException("The data reader is closed.");
    }

    ReadOnlySpan<byte> RawValue(int ordinal)
    {
        if (_row is null) throw new InvalidOperationException("No current row; call Read() first.");
        if ((uint)ordinal >= (uint)_columns.Length) throw new IndexOutOfRangeException($"Column ordinal {ordinal} is out of range.");
        return _valueLengths[ordinal] < 0 ? default : _row.AsSpan(_valueOffsets[ordinal], _valueLengths[ordinal]);
    }

    ColumnDefinition Column(int ordinal) =>
        (uint)ordinal < (uint)_columns.Length ? _columns[ordinal] : throw new IndexOutOfRangeException($"Column ordinal {ordinal} is out of range.");

    public override bool IsDBNull(int ordinal)
    {
        var raw = RawValue(ordinal);
        return _valueLengths[ordinal] < 0 || TextValueParser.IsZeroDate(_columns[ordinal], raw);
    }

    /// <summary>When set, text values come from this pool: repeated texts are decoded once and shared.</summary>
    public Utf8TextPool? TextPool { get; set; }

    public override object GetValue(int ordinal)
    {
        var raw = RawValue(ordinal);
        if (IsDBNull(ordinal)) return DBNull.Value;
        return TextValueParser.Parse(_columns[ordinal], raw, TextPool);
    }

    public override int GetValues(object[] values)
    {
        var count = Math.Min(values.Length, _columns.Length);
        for (var i = 0; i < count; i++) values[i] = GetValue(i);
        return count;
    }

    public override string GetName(int ordinal) => Column(ordinal).Name;

    public override int GetOrdinal(string name)
    {
        for (var i = 0; i < _columns.Length; i++)
            if (string.Equals(_columns[i].Name, name, StringComparison.Ordinal)) return i;
        for (var i = 0; i < _columns.Length; i++)
            if (string.Equals(_columns[i].Name, name, StringComparison.OrdinalIgnoreCase)) return i;
        throw new IndexOutOfRangeException($"Column '{name}' not found.");
    }

    [return: DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicFields | DynamicallyAccessedMemberTypes.PublicProperties)]
    public override Type GetFieldType(int ordinal) => TextValueParser.FieldType(Column(ordinal));
    public override string GetDataTypeName(int ordinal) => TextValueParser.DataTypeName(Column(ordinal));

    public override T GetFieldValue<T>(int ordinal)
    {
        var value = GetValue(ordinal);
        if (value is T typed) return typed;
        if (value is DBNull)
        {
            if (default(T) is null && (typeof(T) == typeof(object) || Nullable.GetUnderlyingType(typeof(T)) is not null || !typeof(T).IsValueType))
                return default!;
            throw new InvalidCastException($"Column '{GetName(ordinal)}' is NULL; use IsDBNull or a nullable type.");
        }
        return (T)ConvertValue(value, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), ordinal);
    }

    object ConvertValue(object value, Type target, int ordinal)
    {
        try
        {
            if (target == typeof(bool)) return Convert.ToDecimal(value, CultureInfo.InvariantCulture) != 0;
            if (target == typeof(Guid)) return value is byte[] { Length: 16 } bytes ? new Guid(bytes) : Guid.Parse((string)value);
            if (target == typeof(DateTimeOffset) && value is DateTime dateTime) return new DateTimeOffset(DateTime.SpecifyKind(dateTime, DateTimeKind.Utc));
            if (target == typeof(DateOnly) && value is DateTime date) return DateOnly.FromDateTime(date);
            if (target == typeof(TimeOnly) && value is TimeSpan time) return TimeOnly.FromTimeSpan(time);
            if (target == typeof(string) && value is byte[]) throw new InvalidCastException();
            if (target.IsEnum) return Enum.ToObject(target, value);
            return Convert.ChangeType(value, target, CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is InvalidCastException or FormatException or OverflowException)
        {
            throw new InvalidCastException($"Cannot read column '{GetName(ordinal)}' ({GetDataTypeName(ordinal)}, value type {value.GetType().Name}) as {target.Name}.", ex);
        }
    }

    public override bool GetBoolean(int ordinal) => GetFieldValue<bool>(ordinal);
    public override byte GetByte(int ordinal) => GetFieldValue<byte>(ordinal);
    public override char GetChar(int ordinal) => GetString(ordinal) is { Length: > 0 } text ? text[0] : throw new InvalidCastException("Empty string.");
    public override DateTime GetDateTime(int ordinal) => GetFieldValue<DateTime>(ordinal);
    public override decimal GetDecimal(int ordinal) => GetFieldValue<decimal>(ordinal);
    public override double GetDouble(int ordinal) => GetFieldValue<double>(ordinal);
    public override float GetFloat(int ordinal) => GetFieldValue<float>(ordinal);
    public override Guid GetGuid(int ordinal) => GetFieldValue<Guid>(ordinal);
    public override short GetInt16(int ordinal) => GetFieldValue<short>(ordinal);
    public override int GetInt32(int ordinal) => GetFieldValue<int>(ordinal);
    public override long GetInt64(int ordinal) => GetFieldValue<long>(ordinal);
    public override string GetString(int ordinal) => GetFieldValue<string>(ordinal);
    public TimeSpan GetTimeSpan(int ordinal) => GetFieldValue<TimeSpan>(ordinal);
    public ulong GetUInt64(int ordinal) => GetFieldValue<ulong>(ordinal);

    public override long GetBytes(int ordinal, long dataOffset, byte[]? buffer, int bufferOffset, int length)
    {
        var raw = RawValue(ordinal);
        if (_valueLengths[ordinal] < 0) throw new InvalidCastException($"Column '{GetName(ordinal)}' is NULL.");
        if (buffer is null) return raw.Length;
        var available = Math.Max(0, raw.Length - (int)dataOffset);
        var count = Math.Min(available, length);
        raw.Slice((int)dataOffset, count).CopyTo(buffer.AsSpan(bufferOffset));
        return count;
    }

    public override long GetChars(int ordinal, long dataOffset, char[]? buffer, int bufferOffset, int length)
    {
        var text = GetString(ordinal);
        if (buffer is null) return text.Length;
        var count = Math.Min(Math.Max(0, text.Length - (int)dataOffset), length);
        text.CopyTo((int)dataOffset, buffer, bufferOffset, count);
        return count;
    }

    public override IEnumerator GetEnumerator() => new DbEnumerator(this, closeReader: false);

    [UnconditionalSuppressMessage("Trimming", "IL2111", Justification = "The DataType column holds Type values; nothing reflects over System.Type's own members, which the column's type annotation asks to keep.")]
    public override DataTable GetSchemaTable()
    {
        var table = new DataTable("SchemaTable");
        table.Columns.Add(SchemaTableColumn.ColumnName, typeof(string));
        table.Columns.Add(SchemaTableColumn.ColumnOrdinal, typeof(int));
        table.Columns.Add(SchemaTableColumn.ColumnSize, typeof(int));
        table.Columns.Add(SchemaTableColumn.DataType, typeof(Type));
        table.Columns.Add("DataTypeName", typeof(string));
        table.Columns.Add(SchemaTableColumn.AllowDBNull, typeof(bool));
        table.Columns.Add(SchemaTableColumn.BaseTableName, typeof(string));
        table.Columns.Add(SchemaTableColumn.BaseSchemaName, typeof(string));
        for (var i = 0; i < _columns.Length; i++)
        {
            var column = _columns[i];
            table.Rows.Add(column.Name, i, (int)Math.Min(column.ColumnLength, int.MaxValue), TextValueParser.FieldType(column),
                TextValueParser.DataTypeName(column), !column.Flags.HasFlag(ColumnFlags.NotNull), column.Table, column.Schema);
        }
        return table;
    }
}

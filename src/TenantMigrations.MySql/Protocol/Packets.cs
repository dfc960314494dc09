using System.Text;

namespace TenantMigrations.MySql.Protocol;

internal readonly record struct OkPacket(ulong AffectedRows, ulong LastInsertId, ServerStatusFlags Status, ushort Warnings)
{
    public static bool IsOk(byte[] payload) => payload.Length >= 7 && payload[0] == 0x00;

    /// <summary>EOF, or OK-with-0xFE-header under CLIENT_DEPRECATE_EOF; a row can also start with 0xFE but is then ≥ 16 MiB.</summary>
    public static bool IsEndOfRows(byte[] payload) => payload.Length > 0 && payload[0] == 0xFE && payload.Length < PacketChannel.MaxChunkLength;

    public static OkPacket Parse(byte[] payload)
    {
        var reader = new PayloadReader(payload, 1);
        var affected = reader.ReadLengthEncodedInteger();
        var lastInsertId = reader.ReadLengthEncodedInteger();
        var status = (ServerStatusFlags)reader.ReadUInt16();
        var warnings = reader.ReadUInt16();
        return new OkPacket(affected, lastInsertId, status, warnings);
    }

    /// <summary>Parses the packet that ends a row stream: classic EOF (warnings, status) or an OK-as-EOF.</summary>
    public static OkPacket ParseEndOfRows(byte[] payload, bool deprecateEof)
    {
        if (deprecateEof && payload.Length > 5) return Parse(payload);
        var reader = new PayloadReader(payload, 1);
        var warnings = payload.Length >= 5 ? reader.ReadUInt16() : (ushort)0;
        var status = payload.Length >= 5 ? (ServerStatusFlags)reader.ReadUInt16() : 0;
        return new OkPacket(0, 0, status, warnings);
    }
}

internal static class ErrorPacket
{
    public static bool IsError(byte[] payload) => payload.Length > 0 && payload[0] == 0xFF;

    public static MySqlException ToException(byte[] payload)
    {
        var reader = new PayloadReader(payload, 1);
        var code = reader.Remaining >= 2 ? reader.ReadUInt16() : 0;
        string? sqlState = null;
        if (reader.Remaining >= 6 && reader.PeekByte() == (byte)'#')
        {
            reader.Skip(1);
            sqlState = Encoding.ASCII.GetString(reader.ReadBytes(5));
        }
        var message = Encoding.UTF8.GetString(reader.ReadRest());
        return new MySqlException(message, code, sqlState);
    }
}

internal sealed record InitialHandshake(
    string ServerVersion,
    uint ConnectionId,
    byte[] Nonce,
    CapabilityFlags Capabilities,
    ServerStatusFlags Status,
    string AuthPluginName)
{
    public static InitialHandshake Parse(byte[] payload)
    {
        var reader = new PayloadReader(payload);
        var protocolVersion = reader.ReadByte();
        if (protocolVersion != 10)
            throw MySqlException.Protocol($"Unsupported handshake protocol version {protocolVersion}.");
        var serverVersion = reader.ReadNullTerminatedString();
        var connectionId = reader.ReadUInt32();
        var nonce = reader.ReadBytes(8).ToArray();
        reader.Skip(1);
        var capabilities = (CapabilityFlags)reader.ReadUInt16();
        var status = ServerStatusFlags.AutoCommit;
        var pluginName = "mysql_native_password";
        if (reader.Remaining > 0)
        {
            reader.Skip(1); // server default collation; the client chooses its own
            status = (ServerStatusFlags)reader.ReadUInt16();
            capabilities |= (CapabilityFlags)((uint)reader.ReadUInt16() << 16);
            var authDataLength = reader.ReadByte();
            reader.Skip(10); // reserved (MariaDB keeps extended capabilities here)
            if (capabilities.HasFlag(CapabilityFlags.SecureConnection))
            {
                var part2Length = Math.Max(13, authDataLength - 8);
                var part2 = reader.ReadBytes(Math.Min(part2Length, reader.Remaining));
                // The second part carries a trailing NUL that is not part of the nonce.
                if (part2.Length > 0 && part2[^1] == 0) part2 = part2[..^1];
                nonce = [.. nonce, .. part2];
            }
            if (capabilities.HasFlag(CapabilityFlags.PluginAuth) && reader.Remaining > 0)
                pluginName = reader.ReadNullTerminatedString();
        }
        return new InitialHandshake(serverVersion, connectionId, nonce, capabilities, status, pluginName);
    }
}

/// <summary>
/// One column of a result set. Its schema and table stay bytes until asked for (only GetSchemaTable does): a batch of
/// journal reads receives thousands of column definitions.
/// </summary>
internal sealed record ColumnDefinition(
    ReadOnlyMemory<byte> SchemaUtf8,
    ReadOnlyMemory<byte> TableUtf8,
    string Name,
    int CharacterSet,
    uint ColumnLength,
    ColumnType Type,
    ColumnFlags Flags,
    byte Decimals)
{
    public const int BinaryCharacterSet = 63;

    public string Schema => Encoding.UTF8.GetString(SchemaUtf8.Span);
    public string Table => Encoding.UTF8.GetString(TableUtf8.Span);
    public bool IsUnsigned => Flags.HasFlag(ColumnFlags.Unsigned);
    public bool IsBinary => CharacterSet == BinaryCharacterSet;

    public static ColumnDefinition Parse(byte[] payload)
    {
        var reader = new PayloadReader(payload);
        reader.SkipLengthEncodedString(); // catalog, always "def"
        var schema = reader.ReadLengthEncodedStringBytes();
        var table = reader.ReadLengthEncodedStringBytes();
        reader.SkipLengthEncodedString(); // original table
        var name = reader.ReadLengthEncodedString();
        reader.SkipLengthEncodedString(); // original name
        reader.ReadLengthEncodedInteger(); // length of the fixed-length fields (0x0C)
        var characterSet = reader.ReadUInt16();
        var columnLength = reader.ReadUInt32();
        var type = (ColumnType)reader.ReadByte();
        var flags = (ColumnFlags)reader.ReadUInt16();
        var decimals = reader.ReadByte();
        return new ColumnDefinition(schema, table, name, characterSet, columnLength, type, flags, decimals);
    }
}

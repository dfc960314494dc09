using System.Buffers.Binary;
using System.Text;

namespace TenantMigrations.MySql.Protocol;

/// <summary>Sequential reader over one packet payload (little-endian ints, length-encoded ints/strings).</summary>
internal sealed class PayloadReader(byte[] payload, int offset = 0)
{
    public byte[] Payload { get; } = payload;
    public int Offset { get; private set; } = offset;
    public int Remaining => Payload.Length - Offset;

    public byte ReadByte() => Payload[Offset++];
    public byte PeekByte() => Payload[Offset];

    public ushort ReadUInt16()
    {
        var value = BinaryPrimitives.ReadUInt16LittleEndian(Payload.AsSpan(Offset));
        Offset += 2;
        return value;
    }

    public uint ReadUInt24()
    {
        var value = (uint)(Payload[Offset] | Payload[Offset + 1] << 8 | Payload[Offset + 2] << 16);
        Offset += 3;
        return value;
    }

    public uint ReadUInt32()
    {
        var value = BinaryPrimitives.ReadUInt32LittleEndian(Payload.AsSpan(Offset));
        Offset += 4;
        return value;
    }

    public ulong ReadUInt64()
    {
        var value = BinaryPrimitives.ReadUInt64LittleEndian(Payload.AsSpan(Offset));
        Offset += 8;
        return value;
    }

    /// <summary>Length-encoded integer; returns null for the 0xFB NULL marker.</summary>
    public ulong? ReadLengthEncodedIntegerOrNull()
    {
        var first = ReadByte();
        return first switch
        {
            < 0xFB => first,
            0xFB => null,
            0xFC => ReadUInt16(),
            0xFD => ReadUInt24(),
            0xFE => ReadUInt64(),
            _ => throw MySqlException.Protocol("Invalid length-encoded integer prefix 0xFF."),
        };
    }

    public ulong ReadLengthEncodedInteger() =>
        ReadLengthEncodedIntegerOrNull() ?? throw MySqlException.Protocol("Unexpected NULL length-encoded integer.");

    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        if (count > Remaining) throw MySqlException.Protocol("Packet is shorter than its content claims.");
        var span = Payload.AsSpan(Offset, count);
        Offset += count;
        return span;
    }

    public void Skip(int count) => ReadBytes(count);

    public ReadOnlySpan<byte> ReadRest() => ReadBytes(Remaining);

    public string ReadLengthEncodedString() => Encoding.UTF8.GetString(ReadBytes(checked((int)ReadLengthEncodedInteger())));

    /// <summary>A length-encoded string left as its bytes, for text that is seldom asked for.</summary>
    public ReadOnlyMemory<byte> ReadLengthEncodedStringBytes()
    {
        var length = checked((int)ReadLengthEncodedInteger());
        var start = Offset;
        Skip(length);
        return Payload.AsMemory(start, length);
    }

    public void SkipLengthEncodedString() => Skip(checked((int)ReadLengthEncodedInteger()));

    public ReadOnlySpan<byte> ReadNullTerminatedBytes()
    {
        var end = Array.IndexOf(Payload, (byte)0, Offset);
        if (end < 0) end = Payload.Length; // Some servers omit the final NUL at the end of a packet.
        var span = Payload.AsSpan(Offset, end - Offset);
        Offset = Math.Min(end + 1, Payload.Length);
        return span;
    }

    public string ReadNullTerminatedString() => Encoding.UTF8.GetString(ReadNullTerminatedBytes());
}

using System.Text;

namespace TenantMigrations.MySql.Protocol;

internal sealed class PayloadWriter
{
    byte[] _buffer;
    int _length;

    public PayloadWriter(int capacity = 256) => _buffer = new byte[Math.Max(16, capacity)];

    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, _length);

    public int Length => _length;

    public PayloadWriter WriteByte(byte value)
    {
        Ensure(1);
        _buffer[_length++] = value;
        return this;
    }

    public PayloadWriter WriteUInt16(ushort value) => WriteByte((byte)value).WriteByte((byte)(value >> 8));

    public PayloadWriter WriteUInt32(uint value) =>
        WriteByte((byte)value).WriteByte((byte)(value >> 8)).WriteByte((byte)(value >> 16)).WriteByte((byte)(value >> 24));

    public PayloadWriter WriteBytes(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
        return this;
    }

    public PayloadWriter WriteZeros(int count) => WriteBytes(new byte[count]);

    public PayloadWriter WriteLengthEncodedInteger(ulong value)
    {
        if (value < 0xFB) return WriteByte((byte)value);
        if (value <= 0xFFFF) return WriteByte(0xFC).WriteUInt16((ushort)value);
        if (value <= 0xFFFFFF) return WriteByte(0xFD).WriteByte((byte)value).WriteByte((byte)(value >> 8)).WriteByte((byte)(value >> 16));
        return WriteByte(0xFE).WriteUInt32((uint)value).WriteUInt32((uint)(value >> 32));
    }

    public PayloadWriter WriteNullTerminatedString(string value) => WriteBytes(Encoding.UTF8.GetBytes(value)).WriteByte(0);

    public PayloadWriter WriteUtf8(string value)
    {
        var count = Encoding.UTF8.GetByteCount(value);
        Ensure(count);
        _length += Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_length));
        return this;
    }

    void Ensure(int extra)
    {
        if (_length + extra <= _buffer.Length) return;
        var newSize = Math.Max(_buffer.Length * 2L, (long)_length + extra);
        Array.Resize(ref _buffer, (int)Math.Min(newSize, Array.MaxLength));
    }
}

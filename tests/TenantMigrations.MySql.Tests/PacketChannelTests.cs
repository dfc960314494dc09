using TenantMigrations.MySql.Protocol;

namespace TenantMigrations.MySql.Tests;

public sealed class PacketChannelTests
{
    const int Max = 0xFFFFFF;

    static (int Length, byte Sequence)[] Frames(byte[] wire)
    {
        var frames = new List<(int, byte)>();
        var offset = 0;
        while (offset < wire.Length)
        {
            var length = wire[offset] | wire[offset + 1] << 8 | wire[offset + 2] << 16;
            frames.Add((length, wire[offset + 3]));
            offset += 4 + length;
        }
        Assert.Equal(wire.Length, offset);
        return [.. frames];
    }

    static byte[] Payload(int length)
    {
        var payload = new byte[length];
        for (var i = 0; i < length; i++) payload[i] = (byte)(i * 31 + (i >> 16));
        return payload;
    }

    [Theory]
    [InlineData(0, new[] { 0 })]
    [InlineData(Max - 1, new[] { Max - 1 })]
    [InlineData(Max, new[] { Max, 0 })]
    [InlineData(Max + 1, new[] { Max, 1 })]
    [InlineData(2 * Max, new[] { Max, Max, 0 })]
    public async Task Splits_and_joins_at_0xFFFFFF_with_consecutive_sequence_ids(int length, int[] expectedFrames)
    {
        var payload = Payload(length);
        var wire = new MemoryStream();
        var writer = new PacketChannel(wire);
        writer.ResetSequence();
        await writer.WritePacketAsync(payload, async: true, default);
        await writer.WritePacketAsync(new byte[] { 42 }, async: false, default); // a following packet continues the sequence

        var frames = Frames(wire.ToArray());
        Assert.Equal([.. expectedFrames, 1], frames.Select(f => f.Length).ToArray());
        Assert.Equal(Enumerable.Range(0, frames.Length).Select(i => (byte)i).ToArray(), frames.Select(f => f.Sequence).ToArray());

        var reader = new PacketChannel(new MemoryStream(wire.ToArray()));
        Assert.Equal(payload, await reader.ReadPacketAsync(async: true, default));
        Assert.Equal(new byte[] { 42 }, await reader.ReadPacketAsync(async: false, default));
    }

    [Fact]
    public async Task Out_of_order_sequence_id_is_a_protocol_error()
    {
        var reader = new PacketChannel(new MemoryStream([1, 0, 0, 5, 0xAA]));
        var error = await Assert.ThrowsAsync<MySqlException>(() => reader.ReadPacketAsync(true, default).AsTask());
        Assert.Equal(2027, error.Number);
    }

    [Fact]
    public async Task Truncated_stream_reports_end_of_stream()
    {
        var reader = new PacketChannel(new MemoryStream([10, 0, 0, 0, 1, 2]));
        await Assert.ThrowsAsync<EndOfStreamException>(() => reader.ReadPacketAsync(true, default).AsTask());
    }

    [Fact]
    public void Length_encoded_integers_round_trip()
    {
        foreach (var value in new ulong[] { 0, 250, 251, 0xFFFF, 0x10000, 0xFFFFFF, 0x1000000, ulong.MaxValue })
        {
            var writer = new PayloadWriter().WriteLengthEncodedInteger(value);
            Assert.Equal(value, new PayloadReader(writer.Memory.ToArray()).ReadLengthEncodedInteger());
        }
        Assert.Null(new PayloadReader([0xFB]).ReadLengthEncodedIntegerOrNull());
    }
}

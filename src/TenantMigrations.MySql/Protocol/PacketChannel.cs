namespace TenantMigrations.MySql.Protocol;

/// <summary>
/// Frames MySQL packets (3-byte length + sequence id) over a stream, splitting and joining payloads
/// at 0xFFFFFF bytes. Every I/O method takes <c>async</c> so one code path serves both sync and async callers.
/// </summary>
internal sealed class PacketChannel
{
    internal const int MaxChunkLength = 0xFFFFFF;

    Stream _stream;
    readonly byte[] _readBuffer = new byte[16 * 1024];
    readonly byte[] _header = new byte[4];
    int _readPosition;
    int _readLength;
    byte _sequence;

    public PacketChannel(Stream stream) => _stream = stream;

    public Stream Stream => _stream;

    /// <summary>Swaps the transport (plain → TLS). Only valid when no buffered bytes are pending.</summary>
    public void ReplaceStream(Stream stream)
    {
        if (_readPosition != _readLength) throw new InvalidOperationException("Unread bytes pending while switching streams.");
        _stream = stream;
    }

    public void ResetSequence() => _sequence = 0;

    public async ValueTask<byte[]> ReadPacketAsync(bool async, CancellationToken cancellationToken)
    {
        byte[]? joined = null;
        while (true)
        {
            var header = _header;
            await ReadExactAsync(header, async, cancellationToken).ConfigureAwait(false);
            var length = header[0] | header[1] << 8 | header[2] << 16;
            if (header[3] != _sequence)
                throw MySqlException.Protocol($"Packet sequence id {header[3]} received, expected {_sequence}.");
            _sequence = unchecked((byte)(header[3] + 1));

            var chunk = new byte[length];
            await ReadExactAsync(chunk, async, cancellationToken).ConfigureAwait(false);
            joined = joined is null ? chunk : Concat(joined, chunk);
            if (length < MaxChunkLength) return joined;
        }
    }

    public async ValueTask WritePacketAsync(ReadOnlyMemory<byte> payload, bool async, CancellationToken cancellationToken)
    {
        var offset = 0;
        while (true)
        {
            var chunkLength = Math.Min(MaxChunkLength, payload.Length - offset);
            var header = new byte[] { (byte)chunkLength, (byte)(chunkLength >> 8), (byte)(chunkLength >> 16), _sequence++ };
            var chunk = payload.Slice(offset, chunkLength);
            if (chunkLength < 8 * 1024)
            {
                // Small packets go out as one write: avoids a header-only TCP segment.
                var combined = new byte[4 + chunkLength];
                header.CopyTo(combined, 0);
                chunk.CopyTo(combined.AsMemory(4));
                await WriteAsync(combined, async, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await WriteAsync(header, async, cancellationToken).ConfigureAwait(false);
                await WriteAsync(chunk, async, cancellationToken).ConfigureAwait(false);
            }
            offset += chunkLength;
            // A chunk of exactly MaxChunkLength must be followed by another (possibly empty) one.
            if (chunkLength < MaxChunkLength) break;
        }
        if (async) await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        else _stream.Flush();
    }

    async ValueTask WriteAsync(ReadOnlyMemory<byte> data, bool async, CancellationToken cancellationToken)
    {
        if (async) await _stream.WriteAsync(data, cancellationToken).ConfigureAwait(false);
        else _stream.Write(data.Span);
    }

    async ValueTask ReadExactAsync(Memory<byte> destination, bool async, CancellationToken cancellationToken)
    {
        while (destination.Length > 0)
        {
            if (_readPosition < _readLength)
            {
                var count = Math.Min(destination.Length, _readLength - _readPosition);
                _readBuffer.AsMemory(_readPosition, count).CopyTo(destination);
                _readPosition += count;
                destination = destination[count..];
                continue;
            }
            if (destination.Length >= _readBuffer.Length)
            {
                // Large payloads bypass the buffer.
                var direct = async
                    ? await _stream.ReadAsync(destination, cancellationToken).ConfigureAwait(false)
                    : _stream.Read(destination.Span);
                if (direct == 0) throw new EndOfStreamException("The server closed the connection.");
                destination = destination[direct..];
                continue;
            }
            var read = async
                ? await _stream.ReadAsync(_readBuffer.AsMemory(), cancellationToken).ConfigureAwait(false)
                : _stream.Read(_readBuffer, 0, _readBuffer.Length);
            if (read == 0) throw new EndOfStreamException("The server closed the connection.");
            _readPosition = 0;
            _readLength = read;
        }
    }

    static byte[] Concat(byte[] first, byte[] second)
    {
        var result = new byte[first.Length + second.Length];
        first.CopyTo(result, 0);
        second.CopyTo(result, first.Length);
        return result;
    }
}

using System.Text.Json;

namespace TenantMigrations.Engine.Rollouts.RunRecords;

/// <summary>
/// Appends JSON lines to a run record, one at a time, each flushed to the disk before the call returns, so that a
/// killed process loses at most the tenants still in flight. Thread-safe: workers write concurrently.
/// </summary>
internal sealed class RunRecordWriter : IDisposable
{
    private readonly object gate = new();
    private readonly FileStream stream;

    private RunRecordWriter(FileStream stream) => this.stream = stream;

    /// <summary>A new record; an existing file is never overwritten.</summary>
    public static RunRecordWriter Create(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return new RunRecordWriter(new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read));
    }

    /// <summary>Continues a record. A line torn by a killed process is closed first, so the next line stands alone.</summary>
    public static RunRecordWriter Append(string path)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        try
        {
            var endsWithNewLine = true;
            if (stream.Length > 0)
            {
                stream.Seek(-1, SeekOrigin.End);
                endsWithNewLine = stream.ReadByte() == '\n';
            }
            stream.Seek(0, SeekOrigin.End);
            if (!endsWithNewLine) stream.WriteByte((byte)'\n');
            return new RunRecordWriter(stream);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    public void Write<TLine>(TLine line)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(line, RunRecordLines.Json);
        lock (gate)
        {
            stream.Write(bytes);
            stream.WriteByte((byte)'\n');
            stream.Flush(flushToDisk: true);
        }
    }

    public void Dispose()
    {
        lock (gate) stream.Dispose();
    }
}

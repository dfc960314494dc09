using System.Diagnostics;
using System.Text.Json;

namespace TenantMigrations.Engine.Rollouts.RunRecords;

/// <summary>
/// Appends JSON lines to a run record, one at a time, each handed to the operating system before the call returns, so
/// that a killed process loses at most the tenants still in flight. The disk itself is synced at most once per
/// <see cref="SyncInterval"/> and on close: a sync per line made a no-op run of 1,000 tenants wait for 1,000 syncs in
/// a row, and only a crash of the machine can lose what the OS holds. Thread-safe: workers write concurrently.
/// </summary>
internal sealed class RunRecordWriter : IDisposable
{
    public static readonly TimeSpan SyncInterval = TimeSpan.FromSeconds(1);

    private readonly object gate = new();
    private readonly FileStream stream;
    private readonly Stopwatch sinceSync = Stopwatch.StartNew();

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
        var bytes = JsonSerializer.SerializeToUtf8Bytes(line, RunRecordLines.TypeInfo<TLine>());
        lock (gate)
        {
            stream.Write(bytes);
            stream.WriteByte((byte)'\n');
            var sync = sinceSync.Elapsed >= SyncInterval;
            stream.Flush(flushToDisk: sync);
            if (sync) sinceSync.Restart();
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            try
            {
                if (stream.CanWrite) stream.Flush(flushToDisk: true);
            }
            finally
            {
                stream.Dispose();
            }
        }
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace TenantMigrations.Engine.Dialects.Sqlite;

/// <summary>
/// Who holds a SQLite tenant's lock file. The lock file itself is opened exclusively, so nobody else can read it:
/// the holder writes its host, process, run id and start time to a note beside it (".holder") and removes the
/// note before it lets the lock go. A note is only read while its lock is held, so a note left by a killed process
/// is overwritten by the next holder and never believed on its own.
/// </summary>
internal static partial class SqliteLockHolder
{
    private const string Suffix = ".holder";

    private sealed record Note(string Host, int ProcessId, string? Program, string? RunId, DateTime Since);

    [JsonSerializable(typeof(Note))]
    private sealed partial class NoteJsonContext : JsonSerializerContext;

    /// <summary>Writes the note of a lock just taken; returns its path, or null when it could not be written (the lock still holds).</summary>
    public static string? Write(string lockPath, string? runId)
    {
        var path = lockPath + Suffix;
        try
        {
            using var process = Process.GetCurrentProcess();
            var note = new Note(Environment.MachineName, Environment.ProcessId, process.ProcessName, runId, DateTime.UtcNow);
            File.WriteAllText(path, JsonSerializer.Serialize(note, NoteJsonContext.Default.Note));
            return path;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public static void Remove(string? path)
    {
        if (path is null) return;
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A note left behind is harmless: it is read only while its lock is held, and the next holder rewrites it.
        }
    }

    /// <summary>
    /// The lock files of a folder whose holders left a note, in one listing of the folder. A holder writes its note
    /// right after taking the lock, so a lock without one is at most an instant old, or held by a runner that could not
    /// write it.
    /// </summary>
    public static HashSet<string> NotedLocks(string lockFolder)
    {
        try
        {
            return Directory.EnumerateFiles(lockFolder, "*" + Suffix).Select(note => note[..^Suffix.Length]).ToHashSet(StringComparer.Ordinal);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>The holder of a lock known to be held, as text; null when it left no readable note.</summary>
    public static string? Read(string lockPath)
    {
        try
        {
            var note = JsonSerializer.Deserialize(File.ReadAllText(lockPath + Suffix), NoteJsonContext.Default.Note);
            if (note is null) return null;
            var who = note.RunId is null ? $"{note.Program ?? "a process"}" : $"tenantmigrations/{note.RunId}";
            return LockHolderText.Describe(who, note.Host, $"pid {note.ProcessId.ToString(CultureInfo.InvariantCulture)}", note.Since, note.RunId is null ? null : $"program {note.Program}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }
}

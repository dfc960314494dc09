using System.Runtime.InteropServices;

namespace TenantMigrations.Engine.Migrations;

/// <summary>
/// Tells a regular file from a FIFO, socket or device without opening it: opening a FIFO waits for a writer, and
/// reading a device may never end. .NET reports all of them as Normal files of length 0, so only an entry of length 0
/// needs asking the system what it is.
/// </summary>
internal static class FileKinds
{
    private const int CurrentDirectory = -100;
    private const uint TypeMask = 0x1;
    private const int ModeOffset = 28;
    private const int StatxSize = 256;

    /// <summary>Why the entry cannot be read as a migration file, or null when it is a regular file (or a link to one).</summary>
    public static string? NotRegularFileReason(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null)
        {
            var target = info.ResolveLinkTarget(returnFinalTarget: true);
            if (target is null || !target.Exists) return "it is a symbolic link to a file that does not exist (or to a folder).";
            info = new FileInfo(target.FullName);
        }
        if (info.Length > 0) return null;
        return TypeOf(info.FullName) switch
        {
            0x8000 => null,
            0x1000 => "it is a FIFO (named pipe), not a regular file.",
            0xC000 => "it is a socket, not a regular file.",
            0x2000 or 0x6000 => "it is a device, not a regular file.",
            null => "it is empty, or it is not a regular file.",
            _ => "it is not a regular file.",
        };
    }

    /// <summary>The S_IFMT bits of the entry, or null where the system cannot say (Windows has no FIFOs in folders).</summary>
    private static int? TypeOf(string path)
    {
        if (OperatingSystem.IsWindows()) return 0x8000;
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            var status = new byte[StatxSize];
            if (Statx(CurrentDirectory, path, 0, TypeMask, status) != 0) return null;
            return BitConverter.ToUInt16(status, ModeOffset) & 0xF000;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    // statx rather than stat: its buffer has the same layout on every Linux architecture.
    [DllImport("libc", EntryPoint = "statx", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int Statx(int directoryFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);
}

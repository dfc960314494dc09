using System.Globalization;

namespace TenantMigrations.Engine.Dialects;

/// <summary>One wording for every engine: "locked by tenantmigrations/&lt;run&gt; on host 10.0.0.5 pid 4242 since 2026-11-22T12:03:04Z".</summary>
public static class LockHolderText
{
    /// <param name="holder">Who: an application name, a run, or a connection.</param>
    /// <param name="host">Where from; null when the engine does not say.</param>
    /// <param name="processId">The holder's process: the server backend (PostgreSQL) or the client process (SQLite).</param>
    /// <param name="since">Since when the holder has been there, in UTC.</param>
    /// <param name="note">What else is known or not known, in parentheses at the end.</param>
    public static string Describe(string holder, string? host, string? processId, DateTime? since, string? note = null)
    {
        var text = $"locked by {holder}";
        if (!string.IsNullOrEmpty(host)) text += $" on host {host}";
        if (!string.IsNullOrEmpty(processId)) text += $" {processId}";
        if (since is { } start) text += " since " + start.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        if (!string.IsNullOrEmpty(note)) text += $" ({note})";
        // The parts come from other sessions and files: one printable line whatever they hold.
        return string.Concat(text.Select(c => char.IsControl(c) ? '?' : c));
    }
}

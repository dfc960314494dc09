using System.Data.Common;
using System.Globalization;

namespace TenantMigrations.Engine.Journal;

/// <summary>The journal's column list and row mapping, shared by every dialect.</summary>
public static class JournalColumns
{
    public const string StatusList = "installed_rank, version, description, kind, checksum, state, started_at, finished_at, duration_ms, applied_by, run_id, tool_version, error, failed_statement, script_name";

    public const string InsertList = StatusList + ", script";

    /// <summary>The width of the journal's version column; the loader refuses longer versions on every engine.</summary>
    public const int MaxVersionLength = 50;

    /// <summary>The width of the journal's description column.</summary>
    public const int MaxDescriptionLength = 200;

    /// <summary>The width of the journal's script_name column, which holds the file name.</summary>
    public const int MaxScriptNameLength = 1000;

    /// <summary>The width of the journal's applied_by column (user@host, cut to fit).</summary>
    public const int MaxAppliedByLength = 200;

    /// <param name="shared">Where a batched read keeps one copy of each repeated text.</param>
    public static JournalEntry Read(DbDataReader reader, int offset = 0, SharedTexts? shared = null)
    {
        // One GetValue per column, never IsDBNull first: on SQLite each is a native call that asks for the type.
        string? Text(int i) => reader.GetValue(offset + i) switch
        {
            DBNull => null,
            var value when shared is null => value as string ?? Convert.ToString(value, CultureInfo.InvariantCulture),
            var value => shared.Share(value as string ?? Convert.ToString(value, CultureInfo.InvariantCulture)),
        };
        DateTime? Time(int i) => reader.GetValue(offset + i) is not DBNull and var value ? ToUtc(value) : null;
        return new JournalEntry
        {
            InstalledRank = Convert.ToInt32(reader.GetValue(offset), CultureInfo.InvariantCulture),
            Version = Text(1),
            Description = Text(2) ?? "",
            Kind = Enum.Parse<MigrationKind>(Text(3) ?? nameof(MigrationKind.Versioned), ignoreCase: true),
            Checksum = Text(4),
            State = Enum.Parse<JournalState>(Text(5) ?? nameof(JournalState.Failed), ignoreCase: true),
            StartedAt = Time(6) ?? DateTime.MinValue,
            FinishedAt = Time(7),
            DurationMs = reader.IsDBNull(offset + 8) ? null : Convert.ToInt64(reader.GetValue(offset + 8), CultureInfo.InvariantCulture),
            AppliedBy = Text(9),
            RunId = Text(10),
            ToolVersion = Text(11),
            Error = Text(12),
            FailedStatement = Text(13),
            ScriptName = Text(14),
        };
    }

    private const string SqliteTimeFormat = "yyyy-MM-dd HH:mm:ss.FFFFFFF";

    private const DateTimeStyles UtcStyles = DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal;

    private static DateTime ToUtc(object value) => value switch
    {
        DateTime d => d.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(d, DateTimeKind.Utc) : d.ToUniversalTime(),
        DateTimeOffset o => o.UtcDateTime,
        // SQLite keeps times as text in the one format Microsoft.Data.Sqlite writes; parsing it as such is several times
        // cheaper than a general parse, which remains for anything else.
        string s => DateTime.TryParseExact(s, SqliteTimeFormat, CultureInfo.InvariantCulture, UtcStyles, out var exact) ? exact : DateTime.Parse(s, CultureInfo.InvariantCulture, UtcStyles),
        _ => Convert.ToDateTime(value, CultureInfo.InvariantCulture),
    };

    public static string StateText(JournalState state) => state.ToString().ToLowerInvariant();

    public static string KindText(MigrationKind kind) => kind.ToString().ToLowerInvariant();
}

using System.Text.RegularExpressions;

namespace TenantMigrations.Engine.Dialects.Postgres;

/// <summary>
/// The application_name of the tool's PostgreSQL sessions: "tenantmigrations", or "tenantmigrations/&lt;run id&gt;" on
/// the session that holds a tenant's lock, after the user's own name when the connection string sets one.
/// PostgreSQL keeps 63 bytes of printable ASCII, so the user's part is shortened first and the run id is kept.
/// </summary>
public static partial class PostgresSessionName
{
    public const string Tool = "tenantmigrations";

    private const int MaxLength = 63;

    public static string For(string? configured, string? runId)
    {
        var tool = Printable(runId is null ? Tool : $"{Tool}/{runId}");
        if (tool.Length > MaxLength) tool = tool[..MaxLength];
        var user = UserPart(configured);
        var room = MaxLength - tool.Length - 1;
        if (user.Length == 0 || room <= 0) return tool;
        return $"{(user.Length > room ? user[..room] : user)} {tool}";
    }

    /// <summary>The user's own name, without the part this class added to it before.</summary>
    private static string UserPart(string? configured) => ToolSuffix().Replace(Printable(configured ?? "").Trim(), "").Trim();

    [GeneratedRegex(@"(^| )tenantmigrations(/\S*)?$", RegexOptions.CultureInvariant)]
    private static partial Regex ToolSuffix();

    private static string Printable(string text) => string.Concat(text.Select(c => c is >= ' ' and <= '~' ? c : '?'));
}

namespace TenantMigrations.Engine.Schema.Typed;

/// <summary>
/// A rendered statement that the engine runs again and again until it changes no row: one batch of a backfill. The
/// marker is a comment, so an exported script still runs on the engine's own client (once; the comment says to repeat).
/// </summary>
public static class RepeatedStatement
{
    public const string Marker = "/* tm:repeat-until-no-rows */";

    public static string Mark(string statement) => $"{Marker}\n{statement}";

    public static bool IsRepeated(string statement) => statement.Contains(Marker, StringComparison.Ordinal);
}

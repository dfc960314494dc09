namespace TenantMigrations.Engine.Schema.Drift;

/// <summary>
/// SQL a dialect suggests for one drift. No statements: there is no simple fix, and <see cref="Note"/> says what to
/// do instead. <see cref="LosesData"/>: the statements drop data and are written commented out.
/// </summary>
public sealed record SuggestedFix(IReadOnlyList<string> Statements, string? Note = null, bool LosesData = false)
{
    public static SuggestedFix Manual(string note) => new([], note);
}

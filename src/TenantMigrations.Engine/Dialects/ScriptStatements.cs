namespace TenantMigrations.Engine.Dialects;

internal static class ScriptStatements
{
    /// <summary>
    /// The statement with its semicolon. When its last line may end in a line comment, the semicolon goes on a line of
    /// its own, where no comment can swallow it.
    /// </summary>
    public static string Terminated(string statement)
    {
        var lastLine = statement[(statement.LastIndexOf('\n') + 1)..];
        return lastLine.Contains("--", StringComparison.Ordinal) || lastLine.Contains('#') ? statement + "\n;" : statement + ";";
    }
}

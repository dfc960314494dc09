using TenantMigrations.Engine.Schema.Typed;

namespace TenantMigrations.Engine.Execution;

/// <summary>
/// Runs a migration statement: once, or, for a statement a typed backfill marked as repeated, batch after batch until
/// a batch changes no row. Each batch is reported, so that a host can count them and a journal can say how far it got.
/// </summary>
internal static class RepeatedExecution
{
    private const int LabelLength = 100;

    public static async Task RunAsync(string statement, Func<Task<int>> runOnce, Func<int, int, Task> afterBatch)
    {
        if (!RepeatedStatement.IsRepeated(statement))
        {
            await runOnce().ConfigureAwait(false);
            return;
        }
        for (var batch = 1; ; batch++)
        {
            var rows = await runOnce().ConfigureAwait(false);
            await afterBatch(batch, rows).ConfigureAwait(false);
            if (rows <= 0) return;
        }
    }

    /// <summary>How a statement is named in progress: its first line of code, shortened.</summary>
    public static string Label(string statement)
    {
        var line = statement.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0 && !l.StartsWith("--", StringComparison.Ordinal) && !l.StartsWith("/*", StringComparison.Ordinal)) ?? "";
        return line.Length <= LabelLength ? line : line[..LabelLength] + "...";
    }
}

using TenantMigrations.Engine.Dialects;

namespace TenantMigrations.Engine.Migrations;

/// <summary>
/// Finds top-level BEGIN / COMMIT / ROLLBACK and their forms in a file that runs inside the tool's transaction: such
/// a statement commits half the migration, and a retry would then apply that half again. Statements are read as
/// the engines split them, so function bodies, DO blocks, trigger bodies and string literals never count.
/// </summary>
internal static class TransactionControl
{
    /// <summary>
    /// The first transaction-control statement of the file as the engines it runs on in a transaction read it. A plain
    /// file counts a statement only where PostgreSQL and SQLite both read it so: a DO block's END is top level only to
    /// SQLite and a SQLite trigger's END only to PostgreSQL, and either engine fails on the other's syntax before it.
    /// </summary>
    public static SqlStatement? FindFirst(string content, DatabaseEngine? engine) => engine switch
    {
        DatabaseEngine.Postgres => Find(SqlStatementSplitter.Postgres, content).FirstOrDefault(),
        DatabaseEngine.Sqlite => Find(SqlStatementSplitter.Sqlite, content).FirstOrDefault(),
        null => Find(SqlStatementSplitter.Postgres, content)
            .FirstOrDefault(pg => Find(SqlStatementSplitter.Sqlite, content).Any(lite => lite.Line == pg.Line && lite.LeadingWords[0] == pg.LeadingWords[0])),
        _ => null,
    };

    private static IEnumerable<SqlStatement> Find(SqlStatementSplitter splitter, string content) =>
        splitter.SplitWithPositions(content).Where(IsTransactionControl);

    public static bool IsTransactionControl(SqlStatement statement)
    {
        var words = statement.LeadingWords;
        string Word(int i) => i < words.Count ? words[i] : "";
        return Word(0) switch
        {
            "BEGIN" or "COMMIT" or "END" or "ABORT" => true,
            "START" or "PREPARE" => Word(1) == "TRANSACTION",
            "ROLLBACK" => !(Word(1) == "TO" || Word(1) is "WORK" or "TRANSACTION" && Word(2) == "TO"),
            _ => false,
        };
    }

    /// <summary>How the statement is named in an error: its first words, e.g. "START TRANSACTION".</summary>
    public static string Describe(SqlStatement statement) =>
        string.Join(' ', statement.LeadingWords.Take(statement.LeadingWords.Count > 1 && statement.LeadingWords[1] is "TRANSACTION" or "WORK" ? 2 : 1));
}

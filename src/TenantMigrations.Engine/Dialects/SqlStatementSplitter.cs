namespace TenantMigrations.Engine.Dialects;

/// <summary>
/// Splits a script into statements the way each engine's own client does: at top-level delimiters, never inside
/// quoted text, comments, PostgreSQL dollar quotes, a PostgreSQL <c>BEGIN ATOMIC</c> function body, a SQLite
/// trigger body, or between MySQL <c>DELIMITER</c> changes. Statements are returned trimmed and without their
/// delimiter; statements that hold only comments or white space are dropped.
/// </summary>
public sealed class SqlStatementSplitter
{
    public static readonly SqlStatementSplitter Postgres = new(SqlSyntax.Postgres);
    public static readonly SqlStatementSplitter MySql = new(SqlSyntax.MySql);
    public static readonly SqlStatementSplitter Sqlite = new(SqlSyntax.Sqlite);

    private readonly SqlSyntax syntax;

    private SqlStatementSplitter(SqlSyntax syntax) => this.syntax = syntax;

    public IReadOnlyList<string> Split(string script) => SplitWithPositions(script).Select(s => s.Text).ToList();

    /// <summary>The statements with the line each one's first code token is on and its first few words.</summary>
    public IReadOnlyList<SqlStatement> SplitWithPositions(string script) => new SqlScanner(script, syntax).Scan();
}

/// <summary>One statement of a script.</summary>
/// <param name="Text">The statement, trimmed, leading comments kept, without its delimiter.</param>
/// <param name="Line">The 1-based line of the statement's first token that is not a comment.</param>
/// <param name="LeadingWords">The first words of the statement outside comments and quotes, upper case.</param>
public sealed record SqlStatement(string Text, int Line, IReadOnlyList<string> LeadingWords);

internal enum SqlSyntax
{
    Postgres,
    MySql,
    Sqlite,
}

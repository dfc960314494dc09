using System.Text;

namespace TenantMigrations.Engine.Dialects;

/// <summary>
/// Splits a script into statements at top-level semicolons, skipping quoted text, comments and
/// PostgreSQL dollar-quoted bodies. Statements that hold only comments or white space are dropped.
/// </summary>
public sealed class SqlStatementSplitter(bool backslashEscapes, bool dollarQuotes, bool hashComments)
{
    public static readonly SqlStatementSplitter Postgres = new(backslashEscapes: false, dollarQuotes: true, hashComments: false);
    public static readonly SqlStatementSplitter MySql = new(backslashEscapes: true, dollarQuotes: false, hashComments: true);
    public static readonly SqlStatementSplitter Sqlite = new(backslashEscapes: false, dollarQuotes: false, hashComments: false);

    public IReadOnlyList<string> Split(string script)
    {
        var statements = new List<string>();
        var current = new StringBuilder();
        var hasCode = false;
        var i = 0;
        while (i < script.Length)
        {
            var c = script[i];
            var next = i + 1 < script.Length ? script[i + 1] : '\0';
            int end;
            if (c == '-' && next == '-' || hashComments && c == '#')
            {
                end = script.IndexOf('\n', i);
                end = end < 0 ? script.Length : end;
            }
            else if (c == '/' && next == '*')
            {
                end = script.IndexOf("*/", i + 2, StringComparison.Ordinal);
                end = end < 0 ? script.Length : end + 2;
            }
            else if (c is '\'' or '"' or '`')
            {
                end = QuotedEnd(script, i, c);
                hasCode = true;
            }
            else if (dollarQuotes && c == '$' && DollarTag(script, i) is { } tag)
            {
                end = script.IndexOf(tag, i + tag.Length, StringComparison.Ordinal);
                end = end < 0 ? script.Length : end + tag.Length;
                hasCode = true;
            }
            else if (c == ';')
            {
                if (hasCode) statements.Add(current.ToString().Trim());
                current.Clear();
                hasCode = false;
                i++;
                continue;
            }
            else
            {
                if (!char.IsWhiteSpace(c)) hasCode = true;
                end = i + 1;
            }
            current.Append(script, i, end - i);
            i = end;
        }
        if (hasCode) statements.Add(current.ToString().Trim());
        return statements;
    }

    private int QuotedEnd(string script, int start, char quote)
    {
        var i = start + 1;
        while (i < script.Length)
        {
            if (backslashEscapes && script[i] == '\\' && quote != '`') { i += 2; continue; }
            if (script[i] == quote)
            {
                if (i + 1 < script.Length && script[i + 1] == quote) { i += 2; continue; }
                return i + 1;
            }
            i++;
        }
        return script.Length;
    }

    private static string? DollarTag(string script, int start)
    {
        var i = start + 1;
        while (i < script.Length && (char.IsLetterOrDigit(script[i]) || script[i] == '_')) i++;
        if (i >= script.Length || script[i] != '$') return null;
        var tag = script[start..(i + 1)];
        return tag.Length > 2 && char.IsDigit(tag[1]) ? null : tag;
    }
}

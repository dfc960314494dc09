namespace TenantMigrations.Engine.Dialects;

/// <summary>One pass of <see cref="SqlStatementSplitter"/> over a script; holds the state of the statement being read.</summary>
internal sealed class SqlScanner
{
    private const int LeadingWordCount = 4;
    private const string DelimiterCommand = "DELIMITER";

    private readonly string script;
    private readonly SqlSyntax syntax;
    private readonly int[] lineStarts;
    private readonly List<SqlStatement> statements = [];
    private readonly List<string> words = [];
    private string delimiter = ";";
    private int statementStart;
    private int codeStart = -1;
    private int parenDepth;
    private int blockDepth;
    private bool tracksBlocks;

    public SqlScanner(string script, SqlSyntax syntax)
    {
        this.script = script;
        this.syntax = syntax;
        lineStarts = [0, .. script.Select((c, i) => (c, i)).Where(p => p.c == '\n').Select(p => p.i + 1)];
    }

    public IReadOnlyList<SqlStatement> Scan()
    {
        var i = 0;
        while (i < script.Length)
        {
            if (syntax == SqlSyntax.MySql && codeStart < 0 && TryDelimiterCommand(i, out var afterCommand))
            {
                i = afterCommand;
                statementStart = i;
                continue;
            }
            if (AtDelimiter(i))
            {
                EndStatement(i);
                i += delimiter.Length;
                statementStart = i;
                continue;
            }
            i = ReadToken(i);
        }
        EndStatement(script.Length);
        return statements;
    }

    private bool AtDelimiter(int i) =>
        blockDepth == 0
        && (parenDepth == 0 || syntax != SqlSyntax.Postgres)
        && script.AsSpan(i).StartsWith(delimiter, StringComparison.Ordinal);

    /// <summary>Reads one token (comment, quoted text, word or single character) at <paramref name="i"/>; returns where the next one starts.</summary>
    private int ReadToken(int i)
    {
        var c = script[i];
        var next = At(i + 1);
        if (c == '-' && next == '-' && (syntax != SqlSyntax.MySql || IsMySqlDashCommentEnd(At(i + 2)))) return LineEnd(i);
        if (c == '#' && syntax == SqlSyntax.MySql) return LineEnd(i);
        if (c == '/' && next == '*')
        {
            // MySQL runs the text of /*! ... */ and reads hints in /*+ ... */: they are code, not comments.
            if (syntax == SqlSyntax.MySql && At(i + 2) is '!' or '+') MarkCode(i);
            return BlockCommentEnd(i, nested: syntax == SqlSyntax.Postgres);
        }
        switch (c)
        {
            case '\'' or '"':
                MarkCode(i);
                return QuotedEnd(i, c, backslashEscapes: syntax == SqlSyntax.MySql);
            case '`' when syntax != SqlSyntax.Postgres:
                MarkCode(i);
                return QuotedEnd(i, '`', backslashEscapes: false);
            case '[' when syntax == SqlSyntax.Sqlite:
                MarkCode(i);
                return QuotedEnd(i, ']', backslashEscapes: false);
            case '$' when syntax == SqlSyntax.Postgres && DollarTag(i) is { } tag:
                MarkCode(i);
                var close = script.IndexOf(tag, i + tag.Length, StringComparison.Ordinal);
                return close < 0 ? script.Length : close + tag.Length;
            case '(':
                MarkCode(i);
                parenDepth++;
                return i + 1;
            case ')':
                MarkCode(i);
                parenDepth = Math.Max(0, parenDepth - 1);
                return i + 1;
        }
        if (IsWordStart(c)) return ReadWord(i);
        if (!char.IsWhiteSpace(c)) MarkCode(i);
        return i + 1;
    }

    private int ReadWord(int start)
    {
        MarkCode(start);
        var end = start + 1;
        // The mysql client ends a statement at its delimiter even inside a word: END$$ with DELIMITER $$.
        while (end < script.Length && (IsWordStart(script[end]) || script[end] == '$') && !script.AsSpan(end).StartsWith(delimiter, StringComparison.Ordinal)) end++;
        var word = script[start..end].ToUpperInvariant();
        OnWord(word);
        // PostgreSQL reads backslash escapes only in E'...' strings.
        if (syntax == SqlSyntax.Postgres && word == "E" && At(end) == '\'') return QuotedEnd(end, '\'', backslashEscapes: true);
        return end;
    }

    private void OnWord(string word)
    {
        if (words.Count < LeadingWordCount)
        {
            words.Add(word);
            tracksBlocks = StartsBlockStatement();
        }
        if (!tracksBlocks || parenDepth > 0) return;
        switch (word)
        {
            case "BEGIN":
                blockDepth++;
                break;
            case "CASE" when blockDepth > 0:
                blockDepth++;
                break;
            case "END" when blockDepth > 0:
                blockDepth--;
                break;
        }
    }

    /// <summary>
    /// Statements whose body is a BEGIN ... END block of statements: a SQLite trigger, and a PostgreSQL function or
    /// procedure with a BEGIN ATOMIC body (psql tracks the same).
    /// </summary>
    private bool StartsBlockStatement()
    {
        string Word(int i) => i < words.Count ? words[i] : "";
        if (Word(0) != "CREATE") return false;
        return syntax switch
        {
            SqlSyntax.Sqlite => Word(1) == "TRIGGER" || Word(1) is "TEMP" or "TEMPORARY" && Word(2) == "TRIGGER",
            SqlSyntax.Postgres => Word(1) is "FUNCTION" or "PROCEDURE" || Word(1) == "OR" && Word(2) == "REPLACE" && Word(3) is "FUNCTION" or "PROCEDURE",
            _ => false,
        };
    }

    /// <summary>A mysql-client DELIMITER line: only where a statement has not started, and never sent to the server.</summary>
    private bool TryDelimiterCommand(int i, out int lineEnd)
    {
        lineEnd = i;
        if (!script.AsSpan(i).StartsWith(DelimiterCommand, StringComparison.OrdinalIgnoreCase)) return false;
        var lineStart = i == 0 ? 0 : script.LastIndexOf('\n', i - 1) + 1;
        if (!script.AsSpan(lineStart, i - lineStart).IsWhiteSpace()) return false;
        var argumentStart = i + DelimiterCommand.Length;
        if (At(argumentStart) is not (' ' or '\t')) return false;
        var end = script.IndexOf('\n', argumentStart);
        end = end < 0 ? script.Length : end;
        var argument = script[argumentStart..end].Split([' ', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        if (argument is null || argument.Contains('\\')) return false;
        delimiter = argument;
        lineEnd = end;
        return true;
    }

    private void EndStatement(int end)
    {
        if (codeStart >= 0)
        {
            statements.Add(new SqlStatement(script[statementStart..end].Trim(), LineOf(codeStart), words.ToList()));
        }
        codeStart = -1;
        words.Clear();
        parenDepth = 0;
        blockDepth = 0;
        tracksBlocks = false;
    }

    private void MarkCode(int i)
    {
        if (codeStart < 0) codeStart = i;
    }

    private int LineOf(int index)
    {
        var found = Array.BinarySearch(lineStarts, index);
        return found >= 0 ? found + 1 : ~found;
    }

    private char At(int i) => i < script.Length ? script[i] : '\0';

    private int LineEnd(int i)
    {
        var end = script.IndexOf('\n', i);
        return end < 0 ? script.Length : end;
    }

    private int BlockCommentEnd(int start, bool nested)
    {
        var depth = 1;
        var i = start + 2;
        while (i < script.Length)
        {
            if (nested && script[i] == '/' && At(i + 1) == '*')
            {
                depth++;
                i += 2;
            }
            else if (script[i] == '*' && At(i + 1) == '/')
            {
                i += 2;
                if (--depth == 0) return i;
            }
            else
            {
                i++;
            }
        }
        return script.Length;
    }

    private int QuotedEnd(int start, char quote, bool backslashEscapes)
    {
        var i = start + 1;
        while (i < script.Length)
        {
            if (backslashEscapes && script[i] == '\\')
            {
                i += 2;
                continue;
            }
            if (script[i] == quote)
            {
                if (At(i + 1) == quote && quote != ']')
                {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
        return script.Length;
    }

    /// <summary>$tag$ or $$ at <paramref name="start"/>; a tag never starts with a digit ($1 is a parameter).</summary>
    private string? DollarTag(int start)
    {
        var i = start + 1;
        if (i < script.Length && char.IsAsciiDigit(script[i])) return null;
        while (i < script.Length && IsWordStart(script[i])) i++;
        return At(i) == '$' ? script[start..(i + 1)] : null;
    }

    private static bool IsWordStart(char c) => char.IsLetterOrDigit(c) || c == '_';

    private static bool IsMySqlDashCommentEnd(char c) => c == '\0' || char.IsWhiteSpace(c) || char.IsControl(c);
}

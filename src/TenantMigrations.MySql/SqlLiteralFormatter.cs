using System.Data;
using System.Globalization;
using System.Text;

namespace TenantMigrations.MySql;

/// <summary>
/// Client-side parameter substitution: replaces <c>@name</c> placeholders with SQL literals.
/// Quoted strings, quoted identifiers, comments and <c>@@system</c> variables are left alone; an <c>@name</c>
/// without a matching parameter stays as-is (a user variable).
/// </summary>
internal static class SqlLiteralFormatter
{
    public static string Substitute(string sql, MySqlParameterCollection parameters, bool noBackslashEscapes)
    {
        if (parameters.Count == 0) return sql;
        foreach (MySqlParameter parameter in parameters)
            if (parameter.Direction != ParameterDirection.Input)
                throw new NotSupportedException($"Parameter '{parameter.ParameterName}': only input parameters are supported.");

        var output = new StringBuilder(sql.Length + 64);
        var copiedUpTo = 0;
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            switch (c)
            {
                case '\'' or '"' or '`':
                    i = SkipQuoted(sql, i, quotesOnly: c == '`' || noBackslashEscapes);
                    break;
                case '#':
                    i = SkipToEndOfLine(sql, i);
                    break;
                case '-' when i + 2 < sql.Length && sql[i + 1] == '-' && char.IsWhiteSpace(sql[i + 2]):
                case '-' when i + 2 == sql.Length && sql[i + 1] == '-':
                    i = SkipToEndOfLine(sql, i);
                    break;
                case '/' when i + 1 < sql.Length && sql[i + 1] == '*':
                    var end = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
                    i = end < 0 ? sql.Length : end + 2;
                    break;
                case '@' when i + 1 < sql.Length && sql[i + 1] == '@':
                    i += 2;
                    while (i < sql.Length && IsNameCharacter(sql[i]) || i < sql.Length && sql[i] == '.') i++;
                    break;
                case '@':
                    var nameEnd = i + 1;
                    while (nameEnd < sql.Length && IsNameCharacter(sql[nameEnd])) nameEnd++;
                    var parameter = nameEnd > i + 1 ? parameters.Find(sql[(i + 1)..nameEnd]) : null;
                    if (parameter is not null)
                    {
                        output.Append(sql, copiedUpTo, i - copiedUpTo);
                        AppendLiteral(output, parameter.Value, noBackslashEscapes);
                        copiedUpTo = nameEnd;
                    }
                    i = nameEnd;
                    break;
                default:
                    i++;
                    break;
            }
        }
        output.Append(sql, copiedUpTo, sql.Length - copiedUpTo);
        return output.ToString();
    }

    static bool IsNameCharacter(char c) => char.IsLetterOrDigit(c) || c is '_' or '$';

    static int SkipQuoted(string sql, int start, bool quotesOnly)
    {
        var quote = sql[start];
        var i = start + 1;
        while (i < sql.Length)
        {
            var c = sql[i];
            if (c == '\\' && !quotesOnly) i += 2;
            else if (c == quote && i + 1 < sql.Length && sql[i + 1] == quote) i += 2;
            else if (c == quote) return i + 1;
            else i++;
        }
        return sql.Length;
    }

    static int SkipToEndOfLine(string sql, int start)
    {
        var end = sql.IndexOf('\n', start);
        return end < 0 ? sql.Length : end + 1;
    }

    public static void AppendLiteral(StringBuilder output, object? value, bool noBackslashEscapes)
    {
        switch (value)
        {
            case null or DBNull: output.Append("NULL"); break;
            case string text: AppendString(output, text, noBackslashEscapes); break;
            case char character: AppendString(output, character.ToString(), noBackslashEscapes); break;
            case bool flag: output.Append(flag ? '1' : '0'); break;
            case Enum enumValue:
                output.Append(Convert.ToString(Convert.ChangeType(enumValue, Enum.GetUnderlyingType(enumValue.GetType()), CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));
                break;
            case sbyte or byte or short or ushort or int or uint or long or ulong or decimal:
                output.Append(((IFormattable)value).ToString(null, CultureInfo.InvariantCulture));
                break;
            case float single:
                EnsureFinite(single);
                output.Append(single.ToString("R", CultureInfo.InvariantCulture));
                break;
            case double number:
                EnsureFinite(number);
                output.Append(number.ToString("R", CultureInfo.InvariantCulture));
                break;
            case DateTime dateTime: output.Append('\'').Append(dateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture)).Append('\''); break;
            case DateTimeOffset offset: AppendLiteral(output, offset.UtcDateTime, noBackslashEscapes); break;
            case DateOnly date: output.Append('\'').Append(date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append('\''); break;
            case TimeOnly time: output.Append('\'').Append(time.ToString("HH:mm:ss.ffffff", CultureInfo.InvariantCulture)).Append('\''); break;
            case TimeSpan span: AppendTimeSpan(output, span); break;
            case Guid guid: output.Append('\'').Append(guid.ToString("D")).Append('\''); break;
            case byte[] bytes: AppendBytes(output, bytes); break;
            case ReadOnlyMemory<byte> memory: AppendBytes(output, memory.Span); break;
            case Memory<byte> memory: AppendBytes(output, memory.Span); break;
            case ArraySegment<byte> segment: AppendBytes(output, segment); break;
            default: throw new NotSupportedException($"Parameter values of type {value.GetType().FullName} are not supported.");
        }
    }

    static void EnsureFinite(double value)
    {
        if (!double.IsFinite(value)) throw new NotSupportedException($"MySQL cannot store the floating-point value {value}.");
    }

    static void AppendTimeSpan(StringBuilder output, TimeSpan span)
    {
        output.Append('\'');
        if (span < TimeSpan.Zero)
        {
            output.Append('-');
            span = span.Duration();
        }
        output.Append(((long)span.TotalHours).ToString(CultureInfo.InvariantCulture))
            .Append(span.ToString(@"\:mm\:ss\.ffffff", CultureInfo.InvariantCulture)).Append('\'');
    }

    static void AppendBytes(StringBuilder output, ReadOnlySpan<byte> bytes)
    {
        output.EnsureCapacity(output.Length + bytes.Length * 2 + 3);
        output.Append("X'").Append(Convert.ToHexString(bytes)).Append('\'');
    }

    static void AppendString(StringBuilder output, string text, bool noBackslashEscapes)
    {
        output.Append('\'');
        foreach (var c in text)
        {
            if (noBackslashEscapes)
            {
                // Without backslash escapes only the quote itself is special.
                if (c == '\'') output.Append("''");
                else output.Append(c);
                continue;
            }
            switch (c)
            {
                case '\0': output.Append("\\0"); break;
                case '\n': output.Append("\\n"); break;
                case '\r': output.Append("\\r"); break;
                case '\\': output.Append("\\\\"); break;
                case '\'': output.Append("\\'"); break;
                case '"': output.Append("\\\""); break;
                case '\x1a': output.Append("\\Z"); break;
                default: output.Append(c); break;
            }
        }
        output.Append('\'');
    }
}

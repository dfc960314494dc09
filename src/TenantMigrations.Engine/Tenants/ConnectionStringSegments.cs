using System.Text;

namespace TenantMigrations.Engine.Tenants;

/// <summary>One key=value pair of a connection string, or the malformed text where a pair was expected.</summary>
public sealed record ConnectionStringSegment(string Key, string Value, bool WellFormed);

/// <summary>
/// A tolerant reader of the ADO.NET connection-string syntax (key=value pairs separated by ';', values optionally
/// quoted with ' or "). Unlike DbConnectionStringBuilder it never gives up: it reports where the syntax breaks, so a
/// message can say after which key the string is malformed without quoting any of it.
/// </summary>
public static class ConnectionStringSegments
{
    public static IReadOnlyList<ConnectionStringSegment> Parse(string connectionString)
    {
        var segments = new List<ConnectionStringSegment>();
        var i = 0;
        var text = connectionString;
        while (i < text.Length)
        {
            while (i < text.Length && (text[i] == ';' || char.IsWhiteSpace(text[i]))) i++;
            if (i >= text.Length) break;

            var key = new StringBuilder();
            while (i < text.Length && text[i] != ';' && !(text[i] == '=' && !(i + 1 < text.Length && text[i + 1] == '=')))
            {
                if (text[i] == '=') i++; // '==' is an '=' inside a key
                key.Append(text[i]);
                i++;
            }
            if (i >= text.Length || text[i] == ';')
            {
                segments.Add(new ConnectionStringSegment(key.ToString().Trim(), "", WellFormed: false));
                continue;
            }
            i++; // '='
            while (i < text.Length && char.IsWhiteSpace(text[i]) && text[i] != ';') i++;
            if (i < text.Length && text[i] is '\'' or '"')
            {
                var (value, end, closed) = ReadQuoted(text, i);
                i = end;
                while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
                var wellFormed = closed && (i >= text.Length || text[i] == ';');
                segments.Add(new ConnectionStringSegment(key.ToString().Trim(), value, wellFormed));
                if (!wellFormed) break;
            }
            else
            {
                var start = i;
                while (i < text.Length && text[i] != ';') i++;
                segments.Add(new ConnectionStringSegment(key.ToString().Trim(), text[start..i].Trim(), WellFormed: key.ToString().Trim().Length > 0));
            }
        }
        return segments;
    }

    private static (string Value, int End, bool Closed) ReadQuoted(string text, int start)
    {
        var quote = text[start];
        var value = new StringBuilder();
        for (var i = start + 1; i < text.Length; i++)
        {
            if (text[i] != quote)
            {
                value.Append(text[i]);
            }
            else if (i + 1 < text.Length && text[i + 1] == quote)
            {
                value.Append(quote);
                i++;
            }
            else
            {
                return (value.ToString(), i + 1, true);
            }
        }
        return (value.ToString(), text.Length, false);
    }
}

using System.Text;

namespace TenantMigrations.MySql;

/// <summary>
/// One string per distinct short text, decoded from the row's bytes only the first time it is seen: a batch of
/// journals repeats the same versions, checksums and descriptions in every database. Not thread-safe; one per reader.
/// </summary>
public sealed class Utf8TextPool
{
    /// <summary>Longer texts (errors, statements) are seldom repeated: they are decoded as they come.</summary>
    public const int MaxPooledBytes = 256;

    readonly Dictionary<int, string> _texts = [];

    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxPooledBytes) return Encoding.UTF8.GetString(utf8);
        var hash = new HashCode();
        hash.AddBytes(utf8);
        var key = hash.ToHashCode();
        if (_texts.TryGetValue(key, out var known) && Matches(known, utf8)) return known;
        // A hash shared by two texts keeps the newer one: each still reads right, only the sharing is lost.
        var text = Encoding.UTF8.GetString(utf8);
        _texts[key] = text;
        return text;
    }

    static bool Matches(string text, ReadOnlySpan<byte> utf8)
    {
        if (text.Length == utf8.Length)
        {
            var ascii = true;
            for (var i = 0; i < utf8.Length && ascii; i++) ascii = utf8[i] < 0x80 && text[i] == utf8[i];
            if (ascii) return true;
        }
        // Text that decoding changed (invalid bytes became U+FFFD) encodes back differently and is not shared.
        Span<byte> encoded = stackalloc byte[MaxPooledBytes * 3];
        return Encoding.UTF8.TryGetBytes(text, encoded, out var written) && encoded[..written].SequenceEqual(utf8);
    }
}

using System.Text;

namespace TenantMigrations.MySql.Tests;

public sealed class Utf8TextPoolTests
{
    [Fact]
    public void Repeated_texts_are_one_string_and_every_text_reads_as_decoding_it_would()
    {
        var pool = new Utf8TextPool();
        var first = pool.Get("V10__order_totals.sql"u8);
        var again = pool.Get(Encoding.UTF8.GetBytes("V10__order_totals.sql"));
        Assert.Same(first, again);
        Assert.Equal("V10__order_totals.sql", first);

        byte[][] texts = [Encoding.UTF8.GetBytes("naïve Ünïcode"), [0x61, 0xE9, 0x62], [0xC3], [], Encoding.UTF8.GetBytes(new string('x', Utf8TextPool.MaxPooledBytes + 1))];
        foreach (var text in texts)
        {
            Assert.Equal(Encoding.UTF8.GetString(text), pool.Get(text));
            Assert.Equal(Encoding.UTF8.GetString(text), pool.Get(text));
        }
        Assert.Same(pool.Get(texts[0]), pool.Get(texts[0]));
        Assert.NotSame(pool.Get(texts[^1]), pool.Get(texts[^1]));
        // Invalid UTF-8 reads as U+FFFD, as Encoding.UTF8 decodes it, next to the same text in valid UTF-8.
        Assert.Equal("a\u00e9b", pool.Get("a\u00e9b"u8));
        Assert.Equal("a\ufffdb", pool.Get([0x61, 0xE9, 0x62]));
    }
}

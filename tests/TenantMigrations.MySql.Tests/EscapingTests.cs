namespace TenantMigrations.MySql.Tests;

[Collection(MariaDbCollection.Name)]
public sealed class EscapingTests(MariaDbFixture fixture)
{
    public static TheoryData<string> NastyStrings => new()
    {
        "plain",
        "it's",
        "''",
        "\"double\"",
        "back\\slash",
        "trailing\\",
        "\\'",
        "nul\0byte",
        "ctrl-z\x1a",
        "new\nline\r\n",
        "'; DROP TABLE victims; --",
        "\\'; DROP TABLE victims; -- ",
        "@notaparam ?x `tick` /* comment */ # hash",
        "ünïcödé ✓ 🐬 \u2028",
        "",
    };

    [Theory]
    [MemberData(nameof(NastyStrings))]
    public void Strings_round_trip_exactly_with_backslash_escapes(string value) => RoundTrip(value, noBackslashEscapes: false);

    [Theory]
    [MemberData(nameof(NastyStrings))]
    public void Strings_round_trip_exactly_with_NO_BACKSLASH_ESCAPES(string value) => RoundTrip(value, noBackslashEscapes: true);

    void RoundTrip(string value, bool noBackslashEscapes)
    {
        using var connection = fixture.OpenConnection();
        var table = noBackslashEscapes ? "victims_nbe" : "victims";
        connection.Execute($"CREATE TABLE IF NOT EXISTS {table} (id INT AUTO_INCREMENT PRIMARY KEY, body TEXT, raw BLOB)");
        if (noBackslashEscapes)
        {
            connection.Execute("SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES'");
            Assert.True(connection.NoBackslashEscapes);
        }
        else
        {
            Assert.False(connection.NoBackslashEscapes);
        }

        var raw = System.Text.Encoding.UTF8.GetBytes(value);
        connection.Execute($"INSERT INTO {table} (body, raw) VALUES (@v, @raw)", ("v", value), ("raw", raw));
        var id = connection.LastInsertId;

        Assert.Equal(value, connection.Scalar($"SELECT body FROM {table} WHERE id = @id", ("id", id)));
        Assert.Equal(raw, connection.Scalar($"SELECT raw FROM {table} WHERE id = @id", ("id", id)) is byte[] b ? b : []);
        Assert.Equal(value, connection.Scalar("SELECT @v", ("v", value)));
        Assert.Equal(1L, Convert.ToInt64(connection.Scalar($"SELECT COUNT(*) FROM {table} WHERE id = @id AND body = @v", ("id", id), ("v", value))));
        Assert.Equal(1L, Convert.ToInt64(connection.Scalar("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = @t", ("t", table))));
    }

    [Fact]
    public void Status_flag_follows_sql_mode_changes()
    {
        using var connection = fixture.OpenConnection();
        Assert.False(connection.NoBackslashEscapes);
        connection.Execute("SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES')");
        Assert.True(connection.NoBackslashEscapes);
        Assert.Equal("a\\b", connection.Scalar("SELECT @v", ("v", "a\\b")));
        connection.Execute("SET SESSION sql_mode = DEFAULT");
        Assert.False(connection.NoBackslashEscapes);
        Assert.Equal("a\\b", connection.Scalar("SELECT @v", ("v", "a\\b")));
    }
}

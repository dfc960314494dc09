namespace TenantMigrations.MySql.Tests;

public sealed class ParameterSubstitutionTests
{
    static string Substitute(string sql, bool noBackslashEscapes = false, params (string Name, object? Value)[] parameters)
    {
        var collection = new MySqlParameterCollection();
        foreach (var (name, value) in parameters) collection.AddWithValue(name, value);
        return SqlLiteralFormatter.Substitute(sql, collection, noBackslashEscapes);
    }

    [Fact]
    public void Replaces_only_real_placeholders()
    {
        var sql = "SELECT @p, '@p', \"@p\", `@p`, @@p, @other /* @p */ -- @p\n, @p2, @P # @p\n";
        Assert.Equal("SELECT 1, '@p', \"@p\", `@p`, @@p, @other /* @p */ -- @p\n, 2, 1 # @p\n",
            Substitute(sql, false, ("@p", 1), ("p2", 2)));
    }

    [Fact]
    public void Quoted_strings_with_escapes_do_not_confuse_the_scanner()
    {
        Assert.Equal(@"SELECT 'a\'@p', 1", Substitute(@"SELECT 'a\'@p', @p", false, ("p", 1)));
        Assert.Equal("SELECT 'a''@p', 1", Substitute("SELECT 'a''@p', @p", true, ("p", 1)));
        // With NO_BACKSLASH_ESCAPES a backslash does not escape the quote: the string ends at the second quote.
        Assert.Equal(@"SELECT 'a\', 1", Substitute(@"SELECT 'a\', @p", true, ("p", 1)));
    }

    [Theory]
    [InlineData(null, "NULL")]
    [InlineData(true, "1")]
    [InlineData(false, "0")]
    [InlineData(-12, "-12")]
    [InlineData(1.5, "1.5")]
    [InlineData("a'b\\c\0d\ne\rf\"g\x1a", "'a\\'b\\\\c\\0d\\ne\\rf\\\"g\\Z'")]
    public void Formats_literals(object? value, string expected) => Assert.Equal(expected, Substitute("@v", false, ("v", value)));

    [Fact]
    public void Formats_other_types_culture_invariantly()
    {
        var culture = Thread.CurrentThread.CurrentCulture;
        Thread.CurrentThread.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
        try
        {
            Assert.Equal("1.25", Substitute("@v", false, ("v", 1.25m)));
            Assert.Equal("2.5", Substitute("@v", false, ("v", 2.5f)));
            Assert.Equal("'2024-01-02 03:04:05.123456'", Substitute("@v", false, ("v", new DateTime(2024, 1, 2, 3, 4, 5).AddTicks(1234560))));
            Assert.Equal("'2024-01-02 01:04:05.000000'", Substitute("@v", false, ("v", new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)))));
            Assert.Equal("'-26:03:04.500000'", Substitute("@v", false, ("v", -new TimeSpan(1, 2, 3, 4, 500))));
            Assert.Equal("X'00FF10'", Substitute("@v", false, ("v", new byte[] { 0, 255, 16 })));
            Assert.Equal("'00000000-0000-0000-0000-000000000000'", Substitute("@v", false, ("v", Guid.Empty)));
            Assert.Equal("2", Substitute("@v", false, ("v", DayOfWeek.Tuesday)));
            Assert.Equal("'it''s \\ fine'", Substitute("@v", true, ("v", "it's \\ fine")));
        }
        finally
        {
            Thread.CurrentThread.CurrentCulture = culture;
        }
    }

    [Fact]
    public void Rejects_unsupported_values()
    {
        Assert.Throws<NotSupportedException>(() => Substitute("@v", false, ("v", double.NaN)));
        Assert.Throws<NotSupportedException>(() => Substitute("@v", false, ("v", new object())));
    }
}

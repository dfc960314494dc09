namespace TenantMigrations.MySql.Tests;

[Collection(MariaDbCollection.Name)]
public sealed class TypeMappingTests(MariaDbFixture fixture)
{
    enum Color : short { Red = 1, Green = 2 }

    [Fact]
    public async Task Every_mapped_column_type_round_trips_through_parameters()
    {
        await using var connection = await fixture.OpenConnectionAsync();
        connection.Execute("""
            DROP TABLE IF EXISTS all_types;
            CREATE TABLE all_types (
              c_tinyint TINYINT, c_utinyint TINYINT UNSIGNED, c_bool TINYINT(1),
              c_smallint SMALLINT, c_usmallint SMALLINT UNSIGNED,
              c_mediumint MEDIUMINT, c_umediumint MEDIUMINT UNSIGNED,
              c_int INT, c_uint INT UNSIGNED, c_bigint BIGINT, c_ubigint BIGINT UNSIGNED,
              c_decimal DECIMAL(20,6), c_float FLOAT, c_double DOUBLE, c_bit BIT(12), c_year YEAR,
              c_date DATE, c_datetime DATETIME(6), c_timestamp TIMESTAMP(3) NULL, c_time TIME(6),
              c_char CHAR(5), c_varchar VARCHAR(50), c_text TEXT, c_enum ENUM('small','large'), c_set SET('a','b','c'), c_json JSON,
              c_binary BINARY(4), c_varbinary VARBINARY(10), c_blob BLOB, c_guid CHAR(36), c_enum_number SMALLINT
            ) ENGINE=InnoDB
            """);
        connection.Execute("SET time_zone = '+00:00'");
        var dateTime = new DateTime(2024, 2, 29, 23, 59, 58, 0).AddTicks(1234560);
        var guid = Guid.NewGuid();
        await using (var insert = connection.CreateCommand())
        {
            insert.CommandText = """
                INSERT INTO all_types VALUES (@tinyint, @utinyint, @bool, @smallint, @usmallint, @mediumint, @umediumint, @int, @uint,
                  @bigint, @ubigint, @decimal, @float, @double, b'101000000001', @year, @date, @datetime, @timestamp, @time,
                  @char, @varchar, @text, @enum, @set, @json, @binary, @varbinary, @blob, @guid, @enumNumber)
                """;
            void Add(string name, object? value) => insert.Parameters.AddWithValue(name, value);
            Add("tinyint", (sbyte)-128); Add("utinyint", (byte)255); Add("bool", true);
            Add("smallint", short.MinValue); Add("usmallint", ushort.MaxValue);
            Add("mediumint", -8388608); Add("umediumint", 16777215u);
            Add("int", int.MinValue); Add("uint", uint.MaxValue); Add("bigint", long.MinValue); Add("ubigint", ulong.MaxValue);
            Add("decimal", 12345678901234.567891m); Add("float", 1.5f); Add("double", Math.PI); Add("year", 2155);
            Add("date", new DateOnly(1999, 12, 31)); Add("datetime", dateTime);
            Add("timestamp", new DateTimeOffset(2030, 1, 2, 5, 4, 5, 678, TimeSpan.FromHours(2)));
            Add("time", new TimeSpan(-3, -4, -5, -6, -7));
            Add("char", "ab"); Add("varchar", "it's \"quoted\""); Add("text", "line1\nline2\ttab"); Add("enum", "large"); Add("set", "a,c");
            Add("json", """{"k": [1, 2, "three"]}"""); Add("binary", new byte[] { 0, 1, 2, 255 }); Add("varbinary", new byte[] { 0x27, 0x5C, 0x00 });
            Add("blob", new byte[] { 9, 8, 7 }); Add("guid", guid); Add("enumNumber", Color.Green);
            Assert.Equal(1, await insert.ExecuteNonQueryAsync());
        }

        await using var command = new MySqlCommand("SELECT * FROM all_types", connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());

        void Check<T>(string column, T expected, string typeName)
        {
            var ordinal = reader.GetOrdinal(column);
            Assert.Equal(typeof(T), reader.GetFieldType(ordinal));
            Assert.Equal(typeName, reader.GetDataTypeName(ordinal));
            Assert.IsType<T>(reader.GetValue(ordinal));
            Assert.Equal(expected, reader.GetFieldValue<T>(ordinal));
        }

        Check<sbyte>("c_tinyint", -128, "TINYINT");
        Check<byte>("c_utinyint", 255, "TINYINT UNSIGNED");
        Check<sbyte>("c_bool", 1, "TINYINT");
        Assert.True(reader.GetBoolean(reader.GetOrdinal("c_bool")));
        Check<short>("c_smallint", short.MinValue, "SMALLINT");
        Check<ushort>("c_usmallint", ushort.MaxValue, "SMALLINT UNSIGNED");
        Check<int>("c_mediumint", -8388608, "MEDIUMINT");
        Check<uint>("c_umediumint", 16777215u, "MEDIUMINT UNSIGNED");
        Check<int>("c_int", int.MinValue, "INT");
        Check<uint>("c_uint", uint.MaxValue, "INT UNSIGNED");
        Check<long>("c_bigint", long.MinValue, "BIGINT");
        Check<ulong>("c_ubigint", ulong.MaxValue, "BIGINT UNSIGNED");
        Check<decimal>("c_decimal", 12345678901234.567891m, "DECIMAL");
        Check<float>("c_float", 1.5f, "FLOAT");
        Check<double>("c_double", Math.PI, "DOUBLE");
        Check<ulong>("c_bit", 0b101000000001UL, "BIT");
        Check<int>("c_year", 2155, "YEAR");
        Check<DateTime>("c_date", new DateTime(1999, 12, 31), "DATE");
        Check<DateTime>("c_datetime", dateTime, "DATETIME");
        Check<DateTime>("c_timestamp", new DateTime(2030, 1, 2, 3, 4, 5, 678), "TIMESTAMP");
        Check<TimeSpan>("c_time", new TimeSpan(-3, -4, -5, -6, -7), "TIME");
        Check<string>("c_char", "ab", "CHAR");
        Check<string>("c_varchar", "it's \"quoted\"", "VARCHAR");
        Check<string>("c_text", "line1\nline2\ttab", "TEXT");
        Check<string>("c_enum", "large", "ENUM");
        Check<string>("c_set", "a,c", "SET");
        Assert.Equal("""{"k": [1, 2, "three"]}""", reader.GetString(reader.GetOrdinal("c_json")));
        Check<byte[]>("c_binary", [0, 1, 2, 255], "BINARY");
        Check<byte[]>("c_varbinary", [0x27, 0x5C, 0x00], "VARBINARY");
        Check<byte[]>("c_blob", [9, 8, 7], "BLOB");
        Assert.Equal(guid, reader.GetGuid(reader.GetOrdinal("c_guid")));
        Check<short>("c_enum_number", 2, "SMALLINT");
        Assert.Equal(Color.Green, reader.GetFieldValue<Color>(reader.GetOrdinal("c_enum_number")));
        Assert.Equal(new DateOnly(1999, 12, 31), reader.GetFieldValue<DateOnly>(reader.GetOrdinal("c_date")));
        Assert.False(await reader.ReadAsync());
    }

    [Fact]
    public void Literal_expressions_map_to_the_documented_types()
    {
        using var connection = fixture.OpenConnection();
        using var reader = new MySqlCommand(
            "SELECT 1, 12345678901, 1.5, 1e0, 'text', _binary'raw', NULL, CAST('2020-01-02' AS DATE), CAST('10:11:12' AS TIME), CAST(12 AS UNSIGNED)",
            connection).ExecuteReader();
        Assert.True(reader.Read());
        Assert.IsType<int>(reader.GetValue(0));
        Assert.IsType<long>(reader.GetValue(1));
        Assert.Equal(1.5m, reader.GetValue(2));
        Assert.Equal(1.0, reader.GetValue(3));
        Assert.Equal("text", reader.GetValue(4));
        Assert.Equal("raw"u8.ToArray(), reader.GetValue(5));
        Assert.Equal(DBNull.Value, reader.GetValue(6));
        Assert.Equal(new DateTime(2020, 1, 2), reader.GetDateTime(7));
        Assert.Equal(new TimeSpan(10, 11, 12), reader.GetValue(8));
        Assert.EndsWith("UNSIGNED", reader.GetDataTypeName(9));
        Assert.Equal(12UL, reader.GetFieldValue<ulong>(9));
    }

    [Fact]
    public void Zero_dates_read_as_DBNull()
    {
        using var connection = fixture.OpenConnection();
        connection.Execute("SET SESSION sql_mode = ''");
        using var reader = new MySqlCommand("SELECT CAST('0000-00-00' AS DATE), CAST('0000-00-00 00:00:00' AS DATETIME), CAST('2020-00-00' AS DATE)", connection).ExecuteReader();
        Assert.True(reader.Read());
        Assert.True(reader.IsDBNull(0));
        Assert.Equal(DBNull.Value, reader.GetValue(1));
        Assert.True(reader.IsDBNull(2));
    }
}

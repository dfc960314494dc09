using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace TenantMigrations.MySql.Protocol;

/// <summary>Maps column definitions to CLR types and parses text-protocol values.</summary>
internal static class TextValueParser
{
    [return: DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicFields | DynamicallyAccessedMemberTypes.PublicProperties)]
    public static Type FieldType(ColumnDefinition column) => column.Type switch
    {
        ColumnType.Tiny => column.IsUnsigned ? typeof(byte) : typeof(sbyte),
        ColumnType.Short => column.IsUnsigned ? typeof(ushort) : typeof(short),
        ColumnType.Int24 or ColumnType.Long => column.IsUnsigned ? typeof(uint) : typeof(int),
        ColumnType.LongLong => column.IsUnsigned ? typeof(ulong) : typeof(long),
        ColumnType.Float => typeof(float),
        ColumnType.Double => typeof(double),
        ColumnType.Decimal or ColumnType.NewDecimal => typeof(decimal),
        ColumnType.Bit => typeof(ulong),
        ColumnType.Year => typeof(int),
        ColumnType.Date or ColumnType.NewDate or ColumnType.DateTime or ColumnType.Timestamp => typeof(DateTime),
        ColumnType.Time => typeof(TimeSpan),
        ColumnType.Null => typeof(object),
        ColumnType.Geometry => typeof(byte[]),
        _ => column.IsBinary ? typeof(byte[]) : typeof(string),
    };

    public static string DataTypeName(ColumnDefinition column)
    {
        var unsigned = column.IsUnsigned ? " UNSIGNED" : "";
        return column.Type switch
        {
            ColumnType.Tiny => "TINYINT" + unsigned,
            ColumnType.Short => "SMALLINT" + unsigned,
            ColumnType.Int24 => "MEDIUMINT" + unsigned,
            ColumnType.Long => "INT" + unsigned,
            ColumnType.LongLong => "BIGINT" + unsigned,
            ColumnType.Float => "FLOAT",
            ColumnType.Double => "DOUBLE",
            ColumnType.Decimal or ColumnType.NewDecimal => "DECIMAL",
            ColumnType.Bit => "BIT",
            ColumnType.Year => "YEAR",
            ColumnType.Date or ColumnType.NewDate => "DATE",
            ColumnType.DateTime => "DATETIME",
            ColumnType.Timestamp => "TIMESTAMP",
            ColumnType.Time => "TIME",
            ColumnType.Null => "NULL",
            ColumnType.Json => "JSON",
            ColumnType.Geometry => "GEOMETRY",
            ColumnType.VarChar or ColumnType.VarString => column.IsBinary ? "VARBINARY" : "VARCHAR",
            ColumnType.String when column.Flags.HasFlag(ColumnFlags.Enum) => "ENUM",
            ColumnType.String when column.Flags.HasFlag(ColumnFlags.Set) => "SET",
            ColumnType.String => column.IsBinary ? "BINARY" : "CHAR",
            ColumnType.Enum => "ENUM",
            ColumnType.Set => "SET",
            _ => column.IsBinary ? "BLOB" : "TEXT",
        };
    }

    /// <summary>Zero dates ('0000-00-00') have no DateTime equivalent and are reported as NULL (DBNull).</summary>
    public static bool IsZeroDate(ColumnDefinition column, ReadOnlySpan<byte> text) =>
        column.Type is ColumnType.Date or ColumnType.NewDate or ColumnType.DateTime or ColumnType.Timestamp
        && text.Length >= 10 && (text.StartsWith("0000-00-00"u8) || text.Slice(5, 2).SequenceEqual("00"u8) || text.Slice(8, 2).SequenceEqual("00"u8));

    public static object Parse(ColumnDefinition column, ReadOnlySpan<byte> text, Utf8TextPool? texts = null)
    {
        switch (column.Type)
        {
            case ColumnType.Tiny: return column.IsUnsigned ? ParseInteger<byte>(text) : ParseInteger<sbyte>(text);
            case ColumnType.Short: return column.IsUnsigned ? ParseInteger<ushort>(text) : ParseInteger<short>(text);
            case ColumnType.Int24 or ColumnType.Long: return column.IsUnsigned ? ParseInteger<uint>(text) : ParseInteger<int>(text);
            case ColumnType.LongLong: return column.IsUnsigned ? ParseInteger<ulong>(text) : ParseInteger<long>(text);
            case ColumnType.Year: return ParseInteger<int>(text);
            case ColumnType.Float: return float.Parse(Ascii(text), NumberStyles.Float, CultureInfo.InvariantCulture);
            case ColumnType.Double: return double.Parse(Ascii(text), NumberStyles.Float, CultureInfo.InvariantCulture);
            case ColumnType.Decimal or ColumnType.NewDecimal: return decimal.Parse(Ascii(text), NumberStyles.Float, CultureInfo.InvariantCulture);
            case ColumnType.Bit:
                ulong bits = 0;
                foreach (var b in text) bits = bits << 8 | b;
                return bits;
            case ColumnType.Date or ColumnType.NewDate or ColumnType.DateTime or ColumnType.Timestamp:
                return ParseDateTime(text);
            case ColumnType.Time:
                return ParseTime(text);
            case ColumnType.Geometry:
                return text.ToArray();
            default:
                return column.IsBinary ? text.ToArray() : texts?.Get(text) ?? Encoding.UTF8.GetString(text);
        }
    }

    static T ParseInteger<T>(ReadOnlySpan<byte> text) where T : IUtf8SpanParsable<T> =>
        T.TryParse(text, CultureInfo.InvariantCulture, out var value) ? value : throw MySqlException.Protocol($"Invalid integer '{Encoding.ASCII.GetString(text)}'.");

    static string Ascii(ReadOnlySpan<byte> text) => Encoding.ASCII.GetString(text);

    static DateTime ParseDateTime(ReadOnlySpan<byte> text)
    {
        // yyyy-MM-dd[ HH:mm:ss[.ffffff]]
        var year = Digits(text, 0, 4);
        var month = Digits(text, 5, 2);
        var day = Digits(text, 8, 2);
        if (text.Length < 19) return new DateTime(year, month, day);
        var value = new DateTime(year, month, day, Digits(text, 11, 2), Digits(text, 14, 2), Digits(text, 17, 2));
        return text.Length > 20 ? value.AddTicks(FractionTicks(text[20..])) : value;
    }

    static TimeSpan ParseTime(ReadOnlySpan<byte> text)
    {
        // [-]HHH:MM:SS[.ffffff]
        var negative = text.Length > 0 && text[0] == '-';
        if (negative) text = text[1..];
        var firstColon = text.IndexOf((byte)':');
        var hours = Digits(text, 0, firstColon);
        var minutes = Digits(text, firstColon + 1, 2);
        var seconds = Digits(text, firstColon + 4, 2);
        var ticks = new TimeSpan(hours, minutes, seconds).Ticks;
        if (text.Length > firstColon + 7) ticks += FractionTicks(text[(firstColon + 7)..]);
        return TimeSpan.FromTicks(negative ? -ticks : ticks);
    }

    static long FractionTicks(ReadOnlySpan<byte> digits)
    {
        long ticks = 0;
        for (var i = 0; i < 7; i++) ticks = ticks * 10 + (i < digits.Length ? digits[i] - '0' : 0);
        return ticks;
    }

    static int Digits(ReadOnlySpan<byte> text, int start, int count)
    {
        var value = 0;
        for (var i = start; i < start + count; i++)
        {
            var digit = text[i] - '0';
            if ((uint)digit > 9) throw MySqlException.Protocol($"Invalid date/time value '{Encoding.ASCII.GetString(text)}'.");
            value = value * 10 + digit;
        }
        return value;
    }
}


using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;

namespace TenantMigrations.MySql;

/// <summary>An input parameter; its value is formatted as a SQL literal client-side (see <see cref="SqlLiteralFormatter"/>).</summary>
public sealed class MySqlParameter : DbParameter
{
    string _parameterName = "";
    DbType? _dbType;

    public MySqlParameter() { }

    public MySqlParameter(string parameterName, object? value)
    {
        ParameterName = parameterName;
        Value = value;
    }

    public override DbType DbType
    {
        get => _dbType ?? InferDbType(Value);
        set => _dbType = value;
    }

    public override ParameterDirection Direction { get; set; } = ParameterDirection.Input;
    public override bool IsNullable { get; set; }

    [AllowNull]
    public override string ParameterName
    {
        get => _parameterName;
        set => _parameterName = value ?? "";
    }

    [AllowNull]
    public override string SourceColumn { get; set; } = "";
    public override bool SourceColumnNullMapping { get; set; }
    public override int Size { get; set; }
    public override object? Value { get; set; }

    public override void ResetDbType() => _dbType = null;

    /// <summary>The name without its '@' or '?' prefix, as used for matching placeholders.</summary>
    internal string NormalizedName => NormalizeName(_parameterName);

    internal static string NormalizeName(string name) => name.Length > 0 && name[0] is '@' or '?' ? name[1..] : name;

    static DbType InferDbType(object? value) => value switch
    {
        null or DBNull => DbType.Object,
        string or char => DbType.String,
        bool => DbType.Boolean,
        byte => DbType.Byte,
        sbyte => DbType.SByte,
        short => DbType.Int16,
        ushort => DbType.UInt16,
        int => DbType.Int32,
        uint => DbType.UInt32,
        long => DbType.Int64,
        ulong => DbType.UInt64,
        float => DbType.Single,
        double => DbType.Double,
        decimal => DbType.Decimal,
        DateTime => DbType.DateTime,
        DateTimeOffset => DbType.DateTimeOffset,
        DateOnly => DbType.Date,
        TimeOnly or TimeSpan => DbType.Time,
        Guid => DbType.Guid,
        byte[] => DbType.Binary,
        _ => DbType.Object,
    };
}

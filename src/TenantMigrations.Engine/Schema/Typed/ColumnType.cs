namespace TenantMigrations.Engine.Schema.Typed;

/// <summary>The portable column types of typed migrations; each dialect's renderer spells them for its engine.</summary>
// The names are the typed file's own spellings of the types ("type": "String"), not .NET types.
#pragma warning disable CA1720
public enum ColumnKind
{
    String,
    Int,
    BigInt,
    Float,
    Boolean,
    DateTime,
    Text,
    Json,
}
#pragma warning restore CA1720

/// <summary>A column type; <paramref name="Length"/> is set for <see cref="ColumnKind.String"/> only.</summary>
public sealed record ColumnType(ColumnKind Kind, int? Length = null)
{
    public override string ToString() => Length is { } length ? $"{Kind}({length})" : Kind.ToString();
}

using System.Numerics;

namespace TenantMigrations.Engine.Migrations;

/// <summary>A dotted version such as 1, 1.2 or 20261121093000, compared numerically part by part (1.10 &gt; 1.9, 1.0 == 1).</summary>
public sealed class MigrationVersion : IComparable<MigrationVersion>, IEquatable<MigrationVersion>
{
    private readonly BigInteger[] parts;

    private MigrationVersion(BigInteger[] parts, string text)
    {
        this.parts = parts;
        Text = text;
    }

    public string Text { get; }

    public static bool TryParse(string? text, out MigrationVersion version)
    {
        version = null!;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var normalized = text.Replace('_', '.');
        var pieces = normalized.Split('.');
        var values = new BigInteger[pieces.Length];
        for (var i = 0; i < pieces.Length; i++)
        {
            if (pieces[i].Length == 0 || !pieces[i].All(char.IsAsciiDigit)) return false;
            values[i] = BigInteger.Parse(pieces[i], System.Globalization.CultureInfo.InvariantCulture);
        }
        var significant = values.Length;
        while (significant > 1 && values[significant - 1].IsZero) significant--;
        version = new MigrationVersion(values[..significant], normalized);
        return true;
    }

    public static MigrationVersion Parse(string text) =>
        TryParse(text, out var version) ? version : throw new FormatException($"'{text}' is not a version: use digits separated by dots, e.g. 1, 1.2 or 20261121093000.");

    public int CompareTo(MigrationVersion? other)
    {
        if (other is null) return 1;
        for (var i = 0; i < Math.Max(parts.Length, other.parts.Length); i++)
        {
            var mine = i < parts.Length ? parts[i] : BigInteger.Zero;
            var theirs = i < other.parts.Length ? other.parts[i] : BigInteger.Zero;
            var compared = mine.CompareTo(theirs);
            if (compared != 0) return compared;
        }
        return 0;
    }

    public bool Equals(MigrationVersion? other) => other is not null && CompareTo(other) == 0;

    public override bool Equals(object? obj) => obj is MigrationVersion other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var part in parts) hash.Add(part);
        return hash.ToHashCode();
    }

    public override string ToString() => Text;

    public static bool operator ==(MigrationVersion? a, MigrationVersion? b) => a is null ? b is null : a.Equals(b);

    public static bool operator !=(MigrationVersion? a, MigrationVersion? b) => !(a == b);

    public static bool operator <(MigrationVersion a, MigrationVersion b) => a.CompareTo(b) < 0;

    public static bool operator >(MigrationVersion a, MigrationVersion b) => a.CompareTo(b) > 0;

    public static bool operator <=(MigrationVersion a, MigrationVersion b) => a.CompareTo(b) <= 0;

    public static bool operator >=(MigrationVersion a, MigrationVersion b) => a.CompareTo(b) >= 0;
}

namespace TenantMigrations.Engine.Schema.Typed;

/// <summary>A column of a typed createTable or addColumn.</summary>
public sealed record ColumnDefinition(string Name, ColumnType Type)
{
    public bool Nullable { get; init; } = true;

    public bool Unique { get; init; }

    public bool PrimaryKey { get; init; }

    /// <summary>The engine numbers new rows (identity, AUTO_INCREMENT, SQLite's rowid); only an Int or BigInt single-column primary key.</summary>
    public bool Identity { get; init; }

    public ColumnDefault? Default { get; init; }

    public ForeignKeyReference? References { get; init; }
}

/// <summary>How a default is written in the typed file: a string, number or boolean value, or a SQL expression.</summary>
public enum DefaultKind
{
    Text,
    Number,
    Boolean,
    Sql,
}

/// <summary>
/// A column default. Text values are quoted by the dialect; numbers are kept as the JSON spelled them; booleans become
/// each engine's spelling; Sql is the author's expression, trusted like the text of a .sql migration.
/// </summary>
public sealed record ColumnDefault(DefaultKind Kind, string Value);

/// <summary>A foreign key from one column; <paramref name="OnDelete"/> is "no action", "restrict", "cascade", "set null" or "set default".</summary>
public sealed record ForeignKeyReference(string Table, string Column, string OnDelete = "no action");

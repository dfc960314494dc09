namespace TenantMigrations.Engine.Schema.Typed;

/// <summary>One operation of a typed migration. <see cref="Name"/> is how the file spells it ("createTable").</summary>
public abstract record SchemaOperation
{
    public abstract string Name { get; }
}

public sealed record CreateTable(string Table, IReadOnlyList<ColumnDefinition> Columns) : SchemaOperation
{
    public override string Name => "createTable";
}

/// <summary>Adds a column; with a <see cref="Backfill"/> a NOT NULL column is added nullable, backfilled in batches, then made NOT NULL.</summary>
public sealed record AddColumn(string Table, ColumnDefinition Column, Backfill? Backfill = null) : SchemaOperation
{
    public override string Name => "addColumn";
}

/// <summary>
/// The value of each existing row: a SQL <paramref name="Expression"/> over the row's columns, or a
/// <paramref name="PerRowQuery"/> (a SELECT returning one value, where <c>@key</c> stands for the row's key). Rows are
/// updated <paramref name="BatchSize"/> at a time in key order; <paramref name="Key"/> defaults to the table's
/// single-column primary key when a typed migration of the folder created the table.
/// </summary>
public sealed record Backfill(string? Expression, string? PerRowQuery, int BatchSize, string? Key)
{
    public const int DefaultBatchSize = 10_000;
}

public sealed record DropColumn(string Table, string Column) : SchemaOperation
{
    public override string Name => "dropColumn";
}

public sealed record RenameColumn(string Table, string From, string To) : SchemaOperation
{
    public override string Name => "renameColumn";
}

/// <summary>An index; <paramref name="Concurrent"/> builds it without blocking writes where the engine can (never inside a transaction).</summary>
public sealed record CreateIndex(string Table, string Index, IReadOnlyList<string> Columns, bool Unique = false, bool Concurrent = false) : SchemaOperation
{
    public override string Name => "createIndex";
}

public sealed record DropIndex(string Table, string Index) : SchemaOperation
{
    public override string Name => "dropIndex";
}

public sealed record DropTable(string Table) : SchemaOperation
{
    public override string Name => "dropTable";
}

/// <summary>Raw SQL: the engine's own text where given, else <paramref name="Default"/>.</summary>
public sealed record RawSql(string? Default, string? Postgres = null, string? MySql = null, string? Sqlite = null) : SchemaOperation
{
    public override string Name => "sql";

    public string? For(DatabaseEngine engine) => engine switch
    {
        DatabaseEngine.Postgres => Postgres ?? Default,
        DatabaseEngine.MySql => MySql ?? Default,
        DatabaseEngine.Sqlite => Sqlite ?? Default,
        _ => Default,
    };
}

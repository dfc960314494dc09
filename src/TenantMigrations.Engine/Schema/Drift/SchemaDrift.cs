namespace TenantMigrations.Engine.Schema.Drift;

/// <summary>
/// One difference between a reference schema and a tenant's live schema, with the shapes themselves
/// (<see cref="TableShape"/>, <see cref="ColumnShape"/>, <see cref="IndexShape"/>, <see cref="ForeignKeyShape"/>,
/// <see cref="ViewShape"/>, or the primary key's column list) so that a dialect can render a fix from it.
/// </summary>
public sealed record SchemaDrift(SchemaDifferenceKind Kind, SchemaObjectType ObjectType, string Table, string ObjectName, object? Expected, object? Actual)
{
    /// <summary>"orders" for a table or view, "orders.ix_tmp" for an object of a table.</summary>
    public string Name => ObjectType is SchemaObjectType.Table or SchemaObjectType.View ? ObjectName : $"{Table}.{ObjectName}";

    public string Description => ShapeText.Describe(this);

    public SchemaDifference ToDifference() => new()
    {
        Kind = Kind,
        ObjectType = ObjectType,
        Name = Name,
        Expected = Expected is null ? null : ShapeText.Of(Expected),
        Actual = Actual is null ? null : ShapeText.Of(Actual),
        Description = Description,
    };
}

namespace TenantMigrations.Engine.Schema.Typed;

/// <summary>
/// Renders typed operations to one engine's SQL. <paramref name="model"/> in <see cref="Render"/> is what the folder's
/// earlier typed operations built (a table created by plain SQL is not in it); <paramref name="inTransaction"/> says
/// whether the statements run inside the migration's transaction. An operation the engine cannot carry out throws a
/// <see cref="SchemaRenderException"/>, which the loader turns into an error naming the file and the operation.
/// </summary>
public interface ISchemaRenderer
{
    DatabaseEngine Engine { get; }

    IReadOnlyList<string> Render(SchemaOperation operation, TypedSchemaProjection model, bool inTransaction);

    /// <summary>The column's type as the engine's catalog reports it (see <see cref="CatalogText"/>).</summary>
    string CatalogType(ColumnDefinition column);

    /// <summary>The default as this renderer writes it in the DDL, or null; compare with a catalog's text through <see cref="CatalogText.NormalizeDefault"/>.</summary>
    string? DefaultText(ColumnDefinition column);
}

/// <summary>An operation that the engine cannot carry out as written.</summary>
public sealed class SchemaRenderException(string message) : Exception(message);

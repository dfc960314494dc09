using TenantMigrations.Engine.Commands;

namespace TenantMigrations.Engine.Schema.Drift;

/// <summary>Stable error ids of Test-TenantSchema and the CLI's drift.</summary>
public static class DriftErrorIds
{
    /// <summary>A tenant's journal or catalog could not be read: it was not compared (non-terminating).</summary>
    public const string SchemaUnreadable = "SchemaUnreadable";

    /// <summary>Neither a reference tenant nor another reference was given.</summary>
    public const string NoSchemaReference = "NoSchemaReference";

    /// <summary>The reference tenant is not among the tenants given.</summary>
    public const string ReferenceTenantNotFound = "ReferenceTenantNotFound";

    /// <summary>The reference tenant's schema could not be read: nothing can be compared.</summary>
    public const string ReferenceUnreadable = "ReferenceUnreadable";

    /// <summary>The suggestion folder could not be written.</summary>
    public const string SuggestionNotWritten = "SuggestionNotWritten";

    public static CommandError Error(string errorId, string message, object? target, Exception? exception = null) =>
        new(errorId, CategoryFor(errorId), message, target, exception ?? new InvalidOperationException(message));

    private static string CategoryFor(string errorId) => errorId switch
    {
        SchemaUnreadable or ReferenceUnreadable => "ReadError",
        NoSchemaReference => "InvalidArgument",
        ReferenceTenantNotFound => "ObjectNotFound",
        _ => "WriteError",
    };
}

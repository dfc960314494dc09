using TenantMigrations.Engine.Dialects;

namespace TenantMigrations.Engine.Execution;

/// <summary>What makes a tenant unusable before anything connects: its name, its connection settings, its schema or file.</summary>
public static class TenantChecks
{
    public const int MaxNameLength = 200;

    /// <summary>Why the tenant cannot be worked on as defined, or null when it can.</summary>
    /// <param name="forReading">Only the tenant's journal will be read (see <see cref="IDatabaseDialect.Validate"/>).</param>
    public static string? Problem(IDatabaseDialect dialect, Tenant tenant, bool forReading = false)
    {
        if (NameProblem(tenant.Name) is { } name) return name;
        try
        {
            dialect.Validate(tenant, forReading);
            return null;
        }
        catch (Exception ex) when (ex is InvalidIdentifierException or ArgumentException or FormatException or IOException or UnauthorizedAccessException)
        {
            return Redaction.MessageOf(ex, tenant);
        }
    }

    /// <summary>Tenant names come from catalogs and customers: control characters and very long names are refused.</summary>
    public static string? NameProblem(string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) return "the tenant has no name.";
        if (name.Length > MaxNameLength) return $"tenant name '{name[..40]}...' is {name.Length} characters long; at most {MaxNameLength} are allowed.";
        if (name.Any(char.IsControl)) return $"tenant name '{string.Concat(name.Select(c => char.IsControl(c) ? '?' : c))}' holds control characters.";
        return null;
    }
}

namespace TenantMigrations.Engine.Schema.Drift;

/// <summary>
/// The fleet view: tenants grouped by outcome and by the exact set of their differences. Drifted classes come first,
/// the largest first; then tenants not compared, then the ones in sync.
/// </summary>
public static class DriftClasses
{
    public static IReadOnlyList<SchemaDriftClass> Of(IEnumerable<TenantSchemaCheck> checks) =>
        checks
            .GroupBy(c => (c.Status, c.DriftClass))
            .Select(g => new SchemaDriftClass
            {
                Status = g.Key.Status,
                Count = g.Count(),
                Description = g.Key.DriftClass,
                Differences = g.First().Differences,
                Tenants = [.. g.Select(c => c.TenantName)],
            })
            .OrderBy(c => Rank(c.Status))
            .ThenByDescending(c => c.Count)
            .ThenBy(c => c.Description, StringComparer.Ordinal)
            .ToList();

    /// <summary>The one line shared by every tenant with the same outcome and differences.</summary>
    public static string KeyOf(SchemaCheckStatus status, IReadOnlyList<SchemaDrift> drifts, string? message) => status switch
    {
        SchemaCheckStatus.InSync => "in sync",
        SchemaCheckStatus.Drifted => string.Join("; ", drifts.Select(d => d.Description.ReplaceLineEndings(" ")).Order(StringComparer.Ordinal)),
        SchemaCheckStatus.Unreadable => "could not be read",
        _ => message ?? status.ToString(),
    };

    private static int Rank(SchemaCheckStatus status) => status switch
    {
        SchemaCheckStatus.Drifted => 0,
        SchemaCheckStatus.VersionMismatch => 1,
        SchemaCheckStatus.Unreadable => 2,
        _ => 3,
    };
}

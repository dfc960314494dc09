using System.Text.RegularExpressions;

namespace TenantMigrations.Engine.Rollouts;

/// <summary>Matches tenants by name wildcards (* and ?, any case) or by tags.</summary>
public sealed class TenantFilter
{
    private readonly List<Regex> names;
    private readonly HashSet<string> tags;

    public TenantFilter(IEnumerable<string> names, IEnumerable<string> tags)
    {
        this.names = names.Select(Wildcard).ToList();
        this.tags = new HashSet<string>(tags, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>--exclude values: each one removes the tenants whose name matches it or that carry it as a tag.</summary>
    public static TenantFilter NameOrTag(IEnumerable<string> values)
    {
        var list = values.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v.Trim()).ToList();
        return new TenantFilter(list, list);
    }

    public bool IsEmpty => names.Count == 0 && tags.Count == 0;

    public bool Matches(Tenant tenant) => names.Any(n => n.IsMatch(tenant.Name)) || tenant.Tags.Any(tags.Contains);

    private static Regex Wildcard(string wildcard) =>
        new("^" + Regex.Escape(wildcard).Replace(@"\*", ".*", StringComparison.Ordinal).Replace(@"\?", ".", StringComparison.Ordinal) + "$",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
}

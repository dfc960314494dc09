using System.Globalization;

namespace TenantMigrations.Engine.Rollouts;

/// <summary>
/// One of N stable shares of a fleet (1-based index): a tenant belongs to the partition its name hashes to, so the
/// N partitions together hold every tenant exactly once, whatever order the sources list them in.
/// </summary>
public sealed record TenantPartition(int Index, int Count)
{
    /// <summary>The 0-based completion index Kubernetes Indexed Jobs set.</summary>
    public const string IndexVariable = "JOB_COMPLETION_INDEX";

    /// <summary>How many partitions there are, when --partition-count is not given.</summary>
    public const string CountVariable = "TENANTMIGRATIONS_PARTITION_COUNT";

    public bool Contains(Tenant tenant) => StableHash.Bucket(tenant.Name, Count) == Index - 1;

    public override string ToString() => $"{Index}/{Count}";

    /// <summary>Parses "i/N" with 1 ≤ i ≤ N; throws ArgumentException naming the option.</summary>
    public static TenantPartition Parse(string text, string optionName = "--partition")
    {
        var parts = text.Split('/', StringSplitOptions.TrimEntries);
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            && count >= 1 && index >= 1 && index <= count)
        {
            return new TenantPartition(index, count);
        }
        throw new ArgumentException($"{optionName} '{text}' must be i/N with 1 <= i <= N, e.g. 2/3.");
    }

    /// <summary>
    /// The partition an explicit option or the environment gives: an explicit "i/N" wins; otherwise the 0-based
    /// JOB_COMPLETION_INDEX with the count from <paramref name="count"/> or TENANTMIGRATIONS_PARTITION_COUNT.
    /// Null when neither says anything. An index without a count is an error: guessing would skip tenants.
    /// </summary>
    public static TenantPartition? Resolve(string? partition, int? count, Func<string, string?> environment, string optionName = "--partition", string countName = "--partition-count")
    {
        if (!string.IsNullOrWhiteSpace(partition))
        {
            var parsed = Parse(partition, optionName);
            if (count is { } given && given != parsed.Count) throw new ArgumentException($"{optionName} {partition} and {countName} {given} disagree on the number of partitions.");
            return parsed;
        }
        var indexText = environment(IndexVariable);
        if (string.IsNullOrWhiteSpace(indexText)) return null;
        if (!int.TryParse(indexText, NumberStyles.None, CultureInfo.InvariantCulture, out var zeroBased)) throw new ArgumentException($"{IndexVariable} '{indexText}' is not a whole number.");
        var countText = environment(CountVariable);
        var total = count
            ?? (int.TryParse(countText, NumberStyles.None, CultureInfo.InvariantCulture, out var fromEnvironment) ? fromEnvironment
            : throw new ArgumentException($"{IndexVariable} is set, but the number of partitions is not: give {countName} N or set {CountVariable}."));
        if (total < 1 || zeroBased >= total) throw new ArgumentException($"{IndexVariable} {zeroBased} is not below the number of partitions {total}.");
        return new TenantPartition(zeroBased + 1, total);
    }
}

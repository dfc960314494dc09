using System.Collections.Concurrent;

namespace TenantMigrations.Engine.Tenants;

/// <summary>
/// <see cref="ConnectionStringCheck"/> once per distinct connection string: a fleet of schemas shares one string, and
/// building a driver's connection-string builder for each of 10,000 tenants cost more than reading their journals.
/// </summary>
internal sealed class CheckedConnectionStrings(DatabaseEngine engine)
{
    private readonly ConcurrentDictionary<string, string?> problems = new(StringComparer.Ordinal);

    /// <summary>As <see cref="ConnectionStringCheck.Require"/>.</summary>
    public void Require(string connectionString, string subject)
    {
        var problem = problems.GetOrAdd(connectionString, text => ConnectionStringCheck.ProblemOf(engine, text));
        if (problem is not null) throw new ArgumentException($"{subject}: {problem}");
    }
}

namespace TenantMigrations.Engine.Rollouts.SharedRuns;

/// <summary>What a host asks of a shared run store: the run to create or join (or, with <see cref="Resume"/>, to continue) and the lease of a claim.</summary>
/// <param name="Options">The options as given, for the run's row; the host leaves out connection strings.</param>
public sealed record SharedRunRequest(SharedRunStore Store, string RunId, bool Resume, TimeSpan Lease, IReadOnlyDictionary<string, string> Options);

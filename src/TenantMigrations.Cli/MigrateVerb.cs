using System.CommandLine;
using TenantMigrations.Engine.Execution;

namespace TenantMigrations.Cli;

/// <summary>
/// A verb that runs like migrate (same tenant selection, locks, isolation, retries, run records and output) but does
/// something else to each tenant: undo, baseline. <see cref="Configure"/> turns its own options into the run's mode;
/// <see cref="Unused"/> names the shared options that mean nothing to it, which it then does not offer.
/// </summary>
public sealed record MigrateVerb(
    string Name,
    string Description,
    IReadOnlyList<Option> Options,
    Func<ParseResult, MigrateOptions, RunRecordOptions, CancellationToken, Task<MigrateOptions>> Configure)
{
    public Func<FleetOptions, IEnumerable<Option>> Unused { get; init; } = _ => [];
}

using System.CommandLine;

namespace TenantMigrations.Cli;

/// <summary>
/// tenantmigrations baseline: marks tenants whose schema already exists at --version without running anything, so
/// that every version up to it counts as applied. A tenant that already has applied versions is refused.
/// </summary>
public static class BaselineCommand
{
    public static Command Create(FleetOptions options)
    {
        var version = new Option<string>("--version")
        {
            Description = "The version the existing schema stands for; versions up to it count as applied.",
            HelpName = "version",
            Required = true,
        };
        var verb = new MigrateVerb(
            "baseline",
            "Write a baseline journal row at --version on each selected tenant (creating the journal), running no migration.",
            [version],
            (parseResult, migrateOptions, _, _) => Task.FromResult(migrateOptions with
            {
                BaselineAt = MigrateCommand.ParseVersion("--version", parseResult.GetValue(version)!),
            }))
        {
            // A baseline runs nothing: no target to stop at, no order to allow.
            Unused = fleet => [fleet.Target, fleet.AllowOutOfOrder],
        };
        return MigrateCommand.Create(options, verb);
    }
}

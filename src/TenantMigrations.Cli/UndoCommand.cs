using System.CommandLine;
using TenantMigrations.Engine.Execution;

namespace TenantMigrations.Cli;

/// <summary>
/// tenantmigrations undo: runs the U scripts of the applied versions above --target, highest first, or takes back
/// exactly what the run --run applied, on the tenants where it applied it.
/// </summary>
public static class UndoCommand
{
    public static Command Create(FleetOptions options)
    {
        var run = new Option<string?>("--run")
        {
            Description = "Undo exactly what this run applied, on exactly the tenants where it applied it (read from --run-store).",
            HelpName = "run-id",
        };
        var verb = new MigrateVerb(
            "undo",
            "Undo the applied migrations above --target (highest first) with their U scripts, or what the run --run applied.",
            [run],
            async (parseResult, migrateOptions, runRecord, cancellationToken) =>
            {
                var target = migrateOptions.Plan.TargetVersion;
                var runId = parseResult.GetValue(run);
                if (target is null == runId is null) throw new UsageException("undo needs exactly one of --target VERSION or --run RUNID.");
                var request = target is not null
                    ? UndoRequest.ToTarget(target)
                    : UndoRequest.OfRun(await RunRecordOptions.StoreFor(parseResult, runRecord.RunStore).ReadAsync(runId!, cancellationToken));
                return migrateOptions with { Plan = migrateOptions.Plan with { TargetVersion = null }, Undo = request };
            })
        {
            Unused = fleet => [fleet.AllowOutOfOrder],
        };
        return MigrateCommand.Create(options, verb);
    }
}

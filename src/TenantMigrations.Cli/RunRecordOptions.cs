using System.CommandLine;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Rollouts.RunRecords;

namespace TenantMigrations.Cli;

/// <summary>migrate's --run-store and --resume: where the run record goes, and which run to continue.</summary>
public sealed class RunRecordOptions
{
    public Option<string?> RunStore { get; } = StoreOption();

    public Option<string?> Resume { get; } = new("--resume")
    {
        Description = "Continue this run: the tenants it already did are skipped without being connected to; the rest run under the same run id.",
        HelpName = "run",
    };

    public static Option<string?> StoreOption() => new("--run-store")
    {
        Description = $"The folder of the run records (default: ${Engine.Rollouts.RunRecords.RunStore.EnvironmentVariable}, else {Engine.Rollouts.RunRecords.RunStore.DefaultFolder()}).",
        HelpName = "path",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(RunStore);
        command.Options.Add(Resume);
    }

    public static RunStore StoreFor(ParseResult parseResult, Option<string?> option) =>
        Engine.Rollouts.RunRecords.RunStore.Resolve(parseResult.GetValue(option), Environment.CurrentDirectory);

    /// <summary>
    /// The record of this migrate, checked before any tenant is read: an unknown --resume run is an error. A dry run
    /// writes nothing; with --resume it still skips the tenants already done.
    /// </summary>
    public RunRecordRequest Request(ParseResult parseResult, FleetOptions fleet, MigrateOptions migrateOptions)
    {
        var store = StoreFor(parseResult, RunStore);
        var described = RunRecordRequest.DescribeOptions(migrateOptions);
        // The tenant sources as given; --pg is a connection string and stays out.
        Describe(described, "tenants", parseResult.GetValue(fleet.Tenants));
        Describe(described, "sqlite", parseResult.GetValue(fleet.Sqlite));
        Describe(described, "schema-like", [parseResult.GetValue(fleet.SchemaLike)]);
        Describe(described, "name", parseResult.GetValue(fleet.Name));
        Describe(described, "tag", parseResult.GetValue(fleet.Tag));
        var write = !migrateOptions.DryRun;
        return parseResult.GetValue(Resume) is { } runId
            ? RunRecordRequest.ResumeRun(store, runId, described, write)
            : RunRecordRequest.NewRun(store, described, write);
    }

    /// <summary>Fails fast, before any tenant is read, when --resume names a run the store does not hold.</summary>
    public void CheckResume(ParseResult parseResult)
    {
        if (parseResult.GetValue(Resume) is not { } runId) return;
        var store = StoreFor(parseResult, RunStore);
        if (!Engine.Rollouts.RunRecords.RunStore.IsValidRunId(runId)) throw new UsageException($"--resume '{runId}' is not a run id: use the id that `tenantmigrations runs` lists.");
        if (!store.Contains(runId)) throw new RunNotFoundException(runId, store.Folder);
    }

    /// <summary>Opens the record for the selected tenants and says on stderr what a resume skips.</summary>
    public static RunRecording Open(RunRecordRequest request, MigrationSet set, IReadOnlyList<Tenant> tenants, CliConsole console)
    {
        var recording = request.Open(set, tenants);
        foreach (var warning in recording.Warnings) console.Error($"warning: {warning}");
        if (request.Resume) console.Error($"resuming run {recording.RunId}: {recording.AlreadyDone.Count} tenants already done are skipped, {recording.TenantsToRun.Count} to run.");
        return recording;
    }

    private static void Describe(Dictionary<string, string> described, string name, string?[]? values)
    {
        var given = (values ?? []).Where(v => !string.IsNullOrEmpty(v)).ToArray();
        if (given.Length > 0) described[name] = string.Join(", ", given);
    }
}

using System.CommandLine;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Rollouts;
using TenantMigrations.Engine.Rollouts.RunRecords;
using TenantMigrations.Engine.Rollouts.SharedRuns;

namespace TenantMigrations.Cli;

/// <summary>migrate's --run-store, --resume, --run-id and --lease: where the run record goes, which run to continue or join.</summary>
public sealed class RunRecordOptions
{
    public Option<string?> RunStore { get; } = StoreOption();

    public Option<string?> Resume { get; } = new("--resume")
    {
        Description = "Continue this run: the tenants it already did are skipped without being connected to; the rest run under the same run id.",
        HelpName = "run",
    };

    public Option<string?> RunId { get; } = new("--run-id")
    {
        Description = "With a database run store: the shared run to create or join. Runners started with the same id share one run: each claims tenants from it, and none does a tenant twice.",
        HelpName = "run",
    };

    public Option<TimeSpan?> Lease { get; } = new("--lease")
    {
        Description = $"With a database run store: how long a runner's claim on a tenant holds without renewal, e.g. 30s (default: {SharedRun.DefaultLeaseSeconds}s). Claims are renewed while the tenant runs; a dead runner's tenants go to the others once it runs out.",
        HelpName = "duration",
        CustomParser = r =>
        {
            var text = r.Tokens.Count == 1 ? r.Tokens[0].Value : "";
            try
            {
                var lease = DurationText.Parse(text, "--lease");
                if (lease >= TimeSpan.FromSeconds(1)) return lease;
                r.AddError("--lease must be at least 1s.");
            }
            catch (ArgumentException ex)
            {
                r.AddError(ex.Message);
            }
            return null;
        },
    };

    public static Option<string?> StoreOption() => new("--run-store")
    {
        Description = $"Where the run records go: a folder, or a shared catalog database written postgres:CONNECTION or mysql:CONNECTION (default: ${Engine.Rollouts.RunRecords.RunStore.EnvironmentVariable}, else {Engine.Rollouts.RunRecords.RunStore.DefaultFolder()}).",
        HelpName = "path|postgres:CONNECTION|mysql:CONNECTION",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(RunStore);
        command.Options.Add(Resume);
        command.Options.Add(RunId);
        command.Options.Add(Lease);
    }

    public static IRunStore StoreFor(ParseResult parseResult, Option<string?> option)
    {
        try
        {
            return RunStores.Resolve(parseResult.GetValue(option), Environment.CurrentDirectory);
        }
        catch (ArgumentException ex)
        {
            throw new UsageException($"--run-store: {ex.Message}");
        }
    }

    /// <summary>The shared store this migrate uses, or null for a folder; --run-id and --lease need a shared store.</summary>
    public SharedRunStore? SharedStoreFor(ParseResult parseResult)
    {
        var store = StoreFor(parseResult, RunStore) as SharedRunStore;
        if (store is null && parseResult.GetValue(RunId) is not null) throw new UsageException("--run-id needs a database run store: give --run-store postgres:CONNECTION or mysql:CONNECTION (a folder store records one runner's run; continue it with --resume).");
        if (store is null && parseResult.GetValue(Lease) is not null) throw new UsageException("--lease needs a database run store: give --run-store postgres:CONNECTION or mysql:CONNECTION.");
        if (parseResult.GetValue(RunId) is not null && parseResult.GetValue(Resume) is not null) throw new UsageException("give --run-id or --resume, not both: --run-id creates or joins a shared run, --resume continues one that exists and retries its failed tenants.");
        if (parseResult.GetValue(RunId) is { } runId && !Engine.Rollouts.RunRecords.RunStore.IsValidRunId(runId)) throw new UsageException($"--run-id '{runId}' is not a run id: use letters, digits, '.', '_' and '-' (at most 64, starting with a letter or digit).");
        return store;
    }

    /// <summary>
    /// The record of this migrate, checked before any tenant is read: an unknown --resume run is an error. A dry run
    /// writes nothing; with --resume it still skips the tenants already done.
    /// </summary>
    public RunRecordRequest Request(ParseResult parseResult, FleetOptions fleet, MigrateOptions migrateOptions)
    {
        var store = (RunStore)StoreFor(parseResult, RunStore);
        var described = Describe(parseResult, fleet, migrateOptions);
        var write = !migrateOptions.DryRun;
        return parseResult.GetValue(Resume) is { } runId
            ? RunRecordRequest.ResumeRun(store, runId, described, write)
            : RunRecordRequest.NewRun(store, described, write);
    }

    /// <summary>The options of a migrate for the record's header: the tenant sources as given, --pg (a connection string) left out.</summary>
    public static Dictionary<string, string> Describe(ParseResult parseResult, FleetOptions fleet, MigrateOptions migrateOptions)
    {
        var described = RunRecordRequest.DescribeOptions(migrateOptions);
        // The tenant sources as given; --pg is a connection string and stays out.
        Describe(described, "tenants", parseResult.GetValue(fleet.Tenants));
        Describe(described, "sqlite", parseResult.GetValue(fleet.Sqlite));
        Describe(described, "schema-like", [parseResult.GetValue(fleet.SchemaLike)]);
        Describe(described, "database-like", [parseResult.GetValue(fleet.DatabaseLike)]);
        Describe(described, "exclude", parseResult.GetValue(fleet.Exclude));
        Describe(described, "name", parseResult.GetValue(fleet.Name));
        Describe(described, "tag", parseResult.GetValue(fleet.Tag));
        return described;
    }

    /// <summary>Fails fast, before any tenant is read, when --resume names a run the store does not hold.</summary>
    public async Task CheckResumeAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        if (parseResult.GetValue(Resume) is not { } runId) return;
        var store = StoreFor(parseResult, RunStore);
        if (!Engine.Rollouts.RunRecords.RunStore.IsValidRunId(runId)) throw new UsageException($"--resume '{runId}' is not a run id: use the id that `tenantmigrations runs` lists.");
        if (!await store.ContainsAsync(runId, cancellationToken)) throw new RunNotFoundException(runId, store.Location);
    }

    private static void Describe(Dictionary<string, string> described, string name, string?[]? values)
    {
        var given = (values ?? []).Where(v => !string.IsNullOrEmpty(v)).ToArray();
        if (given.Length > 0) described[name] = string.Join(", ", given);
    }
}

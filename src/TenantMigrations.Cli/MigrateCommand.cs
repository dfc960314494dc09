using System.CommandLine;
using TenantMigrations.Engine.Commands;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Rollouts;
using TenantMigrations.Engine.Rollouts.RunRecords;
using TenantMigrations.Engine.Rollouts.SharedRuns;

namespace TenantMigrations.Cli;

/// <summary>tenantmigrations migrate: applies the pending migrations to every selected tenant in parallel.</summary>
public static class MigrateCommand
{
    public static Command Create(FleetOptions options) => Create(options, Migrate());

    private static MigrateVerb Migrate()
    {
        var baselineOnMigrate = new Option<string?>("--baseline-on-migrate")
        {
            Description = "A tenant with tables but no journal is baselined at this version, then migrated above it, instead of being migrated from scratch.",
            HelpName = "version",
        };
        var create = new Option<bool>("--create") { Description = "Create a tenant whose SQLite file, schema or database is missing (otherwise it is TenantNotFound); see also provision." };
        return new MigrateVerb("migrate", "Apply the pending migrations to every selected tenant.", [baselineOnMigrate, create], (parseResult, migrateOptions, _, _) =>
            Task.FromResult((parseResult.GetValue(baselineOnMigrate) is { } text
                ? migrateOptions with { BaselineOnMigrate = ParseVersion("--baseline-on-migrate", text) }
                : migrateOptions) with { CreateMissing = parseResult.GetValue(create) }));
    }

    /// <summary>A version given on the command line, or a usage error naming the option.</summary>
    public static Engine.Migrations.MigrationVersion ParseVersion(string option, string text) =>
        Engine.Migrations.MigrationVersion.TryParse(text, out var version)
            ? version
            : throw new UsageException($"{option} '{text}' is not a version: use digits separated by dots, e.g. 1, 1.2 or 20261121093000.");

    public static Command Create(FleetOptions options, MigrateVerb verb)
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "Plan and report what would run; touch nothing (not even the journal table)." };
        var lockTimeout = new Option<double>("--lock-timeout")
        {
            Description = "Seconds to wait for a tenant's migration lock before reporting it Locked.",
            HelpName = "seconds",
            DefaultValueFactory = _ => 10,
        };
        lockTimeout.CustomParser = r =>
        {
            var text = r.Tokens.Count == 1 ? r.Tokens[0].Value : "";
            if (double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value) && value >= 0 && value <= 86_400 * 365) return value;
            r.AddError($"--lock-timeout must be a number of seconds, 0 or more, not '{text}'.");
            return 0;
        };
        var ddlLockTimeout = FleetOptions.SecondsOption("--ddl-lock-timeout",
            "Seconds a migration's DDL may wait for a table lock (PostgreSQL lock_timeout, MySQL lock_wait_timeout) before it is rolled back and retried (default: 5).",
            TimeSpan.FromHours(1));
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Also report each migration as it starts, and the engine's retries." };
        var runRecord = new RunRecordOptions();
        var rolloutOptions = new RolloutCliOptions();
        var group = new Option<bool>("--group") { Description = "Apply a tenant's pending transactional migrations in one transaction with one commit, each still journaled (PostgreSQL, SQLite)." };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress on stderr (shown on a terminal, and as \"progress\" JSON lines with --json)." };

        var command = new Command(verb.Name, verb.Description);
        options.AddTo(command);
        foreach (var unused in verb.Unused(options)) command.Options.Remove(unused);
        foreach (var own in verb.Options) command.Options.Add(own);
        options.AddLimitsTo(command);
        command.Options.Add(dryRun);
        command.Options.Add(lockTimeout);
        command.Options.Add(ddlLockTimeout);
        command.Options.Add(verbose);
        runRecord.AddTo(command);
        rolloutOptions.AddTo(command);
        command.Options.Add(quiet);
        command.Options.Add(group);
        command.SetAction((parseResult, cancellationToken) => CliApp.RunAsync(options.IsJson(parseResult), async console =>
        {
            var json = options.IsJson(parseResult);
            var set = options.LoadMigrations(parseResult);
            var sharedStore = runRecord.SharedStoreFor(parseResult);
            await runRecord.CheckResumeAsync(parseResult, cancellationToken);
            var rollout = rolloutOptions.Read(parseResult);
            var tenants = await options.SelectTenantsAsync(parseResult, set, console, cancellationToken);
            var isDryRun = parseResult.GetValue(dryRun);
            var migrateOptions = new MigrateOptions
            {
                Plan = options.PlanOptions(parseResult),
                ThrottleLimit = parseResult.GetValue(options.Throttle),
                DryRun = isDryRun,
                LockTimeout = TimeSpan.FromSeconds(parseResult.GetValue(lockTimeout)),
                Limits = options.Limits(parseResult),
                Group = parseResult.GetValue(group),
            };
            migrateOptions = await verb.Configure(parseResult, migrateOptions, runRecord, cancellationToken);
            if (parseResult.GetValue(ddlLockTimeout) is { } ddlSeconds) migrateOptions = migrateOptions with { DdlLockTimeout = TimeSpan.FromSeconds(ddlSeconds) };

            // A dry run with a shared store plans every selected tenant and writes nothing, not even a folder record.
            SharedRunRequest? sharedRun = null;
            RunRecordRequest? record = null;
            if (sharedStore is not null && !isDryRun)
            {
                sharedRun = SharedRunFor(parseResult, runRecord, sharedStore, RunRecordOptions.Describe(parseResult, options, migrateOptions), rollout, set);
                migrateOptions = migrateOptions with { RunId = sharedRun.RunId };
            }
            else if (sharedStore is null)
            {
                record = runRecord.Request(parseResult, options, migrateOptions);
                migrateOptions = migrateOptions with { RunId = record.RunId };
            }

            var output = new MigrateOutput(console, json, tenants.Max(t => t.Name.Length));
            var host = new CliCommandHost(console, json, value =>
            {
                if (value is TenantMigrationResult result) output.Write(result);
            }, approve: isDryRun ? null : (_, _) => true, onError: error => error.TargetObject is TenantMigrationResult)
            {
                Progress = new CliProgress(console, CliProgress.StyleFor(parseResult.GetValue(quiet), json, !Console.IsErrorRedirected)),
                Verbose = !parseResult.GetValue(verbose) ? null : json ? console.Error : console.Out,
            };
            using var migration = new TenantMigrationCommand(set, migrateOptions) { AskPerTenant = false, Rollout = rollout, RunRecord = record, SharedRun = sharedRun };
            foreach (var tenant in tenants) migration.Add(tenant, host);
            var summary = new MigrationRunSummary();
            await CliCommandHost.RunAsync(migration, () => summary = migration.Run(host), cancellationToken, throwWhenCancelled: false);
            output.WriteSummary(summary, isDryRun, migration.AlreadyDone);
            if (summary.Cancelled || cancellationToken.IsCancellationRequested) console.Error("error: the run was cancelled.");
            if (!summary.AllSucceeded && !isDryRun) console.Error($"run {summary.RunId} is recorded; continue it with --resume {summary.RunId}.");
            return ExitCodeOf(summary);
        }));
        return command;
    }

    /// <summary>The shared run to create, join or resume in a database run store; a rollout in waves cannot be shared.</summary>
    private static SharedRunRequest SharedRunFor(ParseResult parseResult, RunRecordOptions runRecord, SharedRunStore store, Dictionary<string, string> described, RolloutOptions rollout, MigrationSet set)
    {
        try
        {
            SharedRun.RefuseWaves(rollout, set);
        }
        catch (ArgumentException ex)
        {
            throw new UsageException(ex.Message);
        }
        var resume = parseResult.GetValue(runRecord.Resume);
        var runId = resume ?? parseResult.GetValue(runRecord.RunId) ?? RunStore.NewRunId(DateTimeOffset.UtcNow);
        var lease = parseResult.GetValue(runRecord.Lease) ?? TimeSpan.FromSeconds(SharedRun.DefaultLeaseSeconds);
        return new SharedRunRequest(store, runId, resume is not null, lease, described);
    }

    /// <summary>0 when everything is done; 3 when only the time budget kept tenants from starting; 1 otherwise.</summary>
    public static int ExitCodeOf(MigrationRunSummary summary)
    {
        if (summary.AllSucceeded) return ExitCodes.Success;
        var onlyUnfinished = summary.StoppedBy == RunStopReason.TimeBudget && !summary.Cancelled
            && summary.Failed == 0 && summary.Locked == 0 && summary.Blocked == 0 && summary.Unreachable == 0;
        return onlyUnfinished ? ExitCodes.Incomplete : ExitCodes.TenantsFailed;
    }
}

using System.CommandLine;
using TenantMigrations.Engine.Execution;
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
        return new MigrateVerb("migrate", "Apply the pending migrations to every selected tenant.", [baselineOnMigrate], (parseResult, migrateOptions, _, _) =>
            Task.FromResult(parseResult.GetValue(baselineOnMigrate) is { } text
                ? migrateOptions with { BaselineOnMigrate = ParseVersion("--baseline-on-migrate", text) }
                : migrateOptions));
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
            var migrateOptions = new MigrateOptions
            {
                Plan = options.PlanOptions(parseResult),
                ThrottleLimit = parseResult.GetValue(options.Throttle),
                DryRun = parseResult.GetValue(dryRun),
                LockTimeout = TimeSpan.FromSeconds(parseResult.GetValue(lockTimeout)),
                Limits = options.Limits(parseResult),
                Group = parseResult.GetValue(group),
            };
            migrateOptions = await verb.Configure(parseResult, migrateOptions, runRecord, cancellationToken);
            if (parseResult.GetValue(ddlLockTimeout) is { } ddlSeconds) migrateOptions = migrateOptions with { DdlLockTimeout = TimeSpan.FromSeconds(ddlSeconds) };
            var progress = new CliProgress(console, CliProgress.StyleFor(parseResult.GetValue(quiet), json, !Console.IsErrorRedirected), rollout.Select(tenants).Count);
            var sink = new MigrateSink(console, json, parseResult.GetValue(verbose), tenants.Max(t => t.Name.Length), progress);
            MigrationRunSummary summary;
            string runId;
            int alreadyDone;
            if (sharedStore is not null && !migrateOptions.DryRun)
            {
                runId = parseResult.GetValue(runRecord.Resume) ?? parseResult.GetValue(runRecord.RunId) ?? RunStore.NewRunId(DateTimeOffset.UtcNow);
                try
                {
                    SharedRun.RefuseWaves(rollout, set);
                }
                catch (ArgumentException ex)
                {
                    throw new UsageException(ex.Message);
                }
                var lease = parseResult.GetValue(runRecord.Lease) ?? TimeSpan.FromSeconds(SharedRun.DefaultLeaseSeconds);
                var described = RunRecordOptions.Describe(parseResult, options, migrateOptions);
                await using var shared = await SharedRun.JoinAsync(sharedStore, runId, resume: parseResult.GetValue(runRecord.Resume) is not null, set, rollout.Select(tenants), described, lease, cancellationToken);
                foreach (var warning in shared.Warnings) console.Error($"warning: {warning}");
                console.Error($"run {runId} in the {sharedStore.Location}: runner {shared.RunnerId} claims tenants with a {DurationText.Format(lease)} lease; {shared.AlreadyDone} of this runner's tenants already done.");
                migrateOptions = migrateOptions with { RunId = runId };
                summary = await new RolloutRunner().MigrateClaimedAsync(shared, tenants, set, migrateOptions, rollout, sink, cancellationToken);
                await shared.CloseAsync(cancellationToken);
                alreadyDone = shared.AlreadyDone;
            }
            else
            {
                // A dry run with a shared store plans every selected tenant and writes nothing.
                using var recording = sharedStore is not null
                    ? null
                    : RunRecordOptions.Open(runRecord.Request(parseResult, options, migrateOptions), set, tenants, console);
                runId = recording?.RunId ?? migrateOptions.RunId;
                migrateOptions = migrateOptions with { RunId = runId };
                var toRun = recording?.TenantsToRun ?? tenants;
                summary = await new RolloutRunner().MigrateAsync(tenants, set, migrateOptions, rollout with { RunOnly = RolloutOptions.NamesOf(toRun) }, recording?.Wrap(sink) ?? sink, cancellationToken);
                recording?.Close(summary.Cancelled);
                alreadyDone = recording?.AlreadyDone.Count ?? 0;
            }
            progress.Complete();
            if (json)
            {
                console.Json(new
                {
                    type = "summary",
                    runId = summary.RunId,
                    dryRun = migrateOptions.DryRun,
                    total = summary.Total,
                    succeeded = summary.Succeeded,
                    failed = summary.Failed,
                    locked = summary.Locked,
                    blocked = summary.Blocked,
                    unreachable = summary.Unreachable,
                    skipped = summary.Skipped,
                    notStarted = summary.Skipped,
                    skippedLocked = summary.SkippedLocked,
                    verificationFailed = summary.VerificationFailed,
                    migrationsApplied = summary.MigrationsApplied,
                    migrationsPlanned = sink.Planned,
                    cancelled = summary.Cancelled,
                    stoppedBy = summary.StoppedBy,
                    waves = summary.Waves.Select(w => new { name = w.Name, total = w.Total, succeeded = w.Succeeded, failed = w.Failed, verificationFailed = w.VerificationFailed, skippedLocked = w.SkippedLocked, notStarted = w.NotStarted, passed = w.Passed }).ToArray(),
                    failedTenants = summary.FailedTenants.Take(FailedTenantsShown).ToArray(),
                    failedTenantsNotShown = Math.Max(0, summary.FailedTenants.Length - FailedTenantsShown),
                    allSucceeded = summary.AllSucceeded,
                    durationMs = (long)summary.Duration.TotalMilliseconds,
                    alreadyDone,
                });
            }
            else
            {
                foreach (var wave in summary.Waves) console.Out(wave.ToString());
                var notes = new List<string>();
                if (migrateOptions.DryRun) notes.Add($"dry run: {sink.Planned} migrations would be applied");
                if (summary.Cancelled) notes.Add($"cancelled: {summary.Skipped} tenants not started");
                console.Out(summary + (notes.Count > 0 ? $" ({string.Join("; ", notes)})" : ""));
                if (sink.NotSucceeded() is { } notSucceeded) console.Out(notSucceeded);
            }
            if (summary.Cancelled) console.Error("error: the run was cancelled.");
            if (!summary.AllSucceeded && !migrateOptions.DryRun) console.Error($"run {runId} is recorded; continue it with --resume {runId}.");
            return ExitCodeOf(summary);
        }));
        return command;
    }

    private const int FailedTenantsShown = 20;

    /// <summary>0 when everything is done; 3 when only the time budget kept tenants from starting; 1 otherwise.</summary>
    public static int ExitCodeOf(MigrationRunSummary summary)
    {
        if (summary.AllSucceeded) return ExitCodes.Success;
        var onlyUnfinished = summary.StoppedBy == RunStopReason.TimeBudget && !summary.Cancelled
            && summary.Failed == 0 && summary.Locked == 0 && summary.Blocked == 0 && summary.Unreachable == 0;
        return onlyUnfinished ? ExitCodes.Incomplete : ExitCodes.TenantsFailed;
    }

    /// <summary>Prints each tenant as it finishes. Called concurrently by the engine's workers; CliConsole serializes the writes.</summary>
    private sealed class MigrateSink(CliConsole console, bool json, bool verbose, int nameWidth, CliProgress progress) : IFleetSink
    {
        private const int NamedInSummary = 20;

        private readonly System.Collections.Concurrent.ConcurrentQueue<TenantMigrationResult> notSucceeded = new();

        private int planned;

        /// <summary>The tenants that did not succeed, named in the closing summary so nobody greps a long run for them; null when all did.</summary>
        public string? NotSucceeded()
        {
            var results = notSucceeded.OrderBy(r => r.TenantName, StringComparer.OrdinalIgnoreCase).ToList();
            if (results.Count == 0) return null;
            var named = string.Join(", ", results.Take(NamedInSummary).Select(r => $"{r.TenantName} ({r.Error?.ErrorId ?? r.StateAfter.ToString()})"));
            return $"Not succeeded: {named}{(results.Count > NamedInSummary ? $" and {results.Count - NamedInSummary} more" : "")}";
        }

        public int Planned => Volatile.Read(ref planned);

        public void Post(FleetEvent fleetEvent)
        {
            switch (fleetEvent)
            {
                case TenantStarted started:
                    progress.Started(started.Tenant.Name);
                    break;
                case WaveStarted wave:
                    progress.WaveStarted(wave.Name);
                    break;
                case TenantFinished finished:
                    Interlocked.Add(ref planned, finished.Result.Planned.Length);
                    if (json) console.Json(ToJson(finished.Result));
                    else WriteText(finished.Result);
                    progress.Finished(finished.Result.TenantName, finished.Result.Succeeded || finished.Result.Skipped);
                    if (!finished.Result.Succeeded && !finished.Result.Skipped) notSucceeded.Enqueue(finished.Result);
                    break;
                case MigrationStarted started when verbose:
                    var text = $"{started.Tenant.Name.PadRight(nameWidth)}  applying {started.Migration} ({started.Migration.Script})";
                    if (json) console.Error(text); else console.Out(text);
                    break;
                case FleetLog { Level: FleetLogLevel.Warning } log:
                    console.Error($"warning: {log.Message}");
                    break;
                case FleetLog log when verbose:
                    console.Error(log.Message);
                    break;
            }
        }

        private void WriteText(TenantMigrationResult r)
        {
            if (r.Skipped)
            {
                console.Out($"{r.TenantName.PadRight(nameWidth)}  Skipped (locked by another runner)");
                return;
            }
            var line = $"{r.TenantName.PadRight(nameWidth)}  {r.StateBefore} -> {r.StateAfter}  version {r.VersionBefore ?? "-"} -> {r.VersionAfter ?? "-"}";
            line += r.DryRun
                ? $"  would {(r.Planned.Length > 0 && r.Planned.All(p => p.Kind == MigrationKind.Undo) ? "undo" : "apply")} {r.Planned.Length}{(r.Planned.Length > 0 ? ": " + string.Join(", ", r.Planned.Select(p => p.Version ?? "R " + p.Description)) : "")}"
                : $"  {(r.Applied.Length > 0 && r.Applied.All(p => p.Kind == MigrationKind.Undo) ? "undid" : "applied")} {r.Applied.Length} in {CliApp.Seconds(r.Duration)}";
            if (r.Error is not null) line += $"  {r.Error.ErrorId}: {CliApp.OneLine(r.Error.Message)}";
            console.Out(line);
            if (r.Error?.Statement is { Length: > 0 } statement)
            {
                var oneLine = CliApp.OneLine(statement);
                console.Out($"{"".PadRight(nameWidth)}  statement: {(oneLine.Length > 200 ? oneLine[..200] + "..." : oneLine)}");
            }
        }

        private static object ToJson(TenantMigrationResult r) => new
        {
            type = "result",
            tenant = r.TenantName,
            engine = r.Engine,
            schema = r.Tenant.Schema,
            succeeded = r.Succeeded,
            skipped = r.Skipped,
            wave = r.Wave,
            stateBefore = r.StateBefore,
            stateAfter = r.StateAfter,
            versionBefore = r.VersionBefore,
            versionAfter = r.VersionAfter,
            applied = r.Applied.Select(m => Migration(m, planned: false)).ToArray(),
            planned = r.Planned.Select(m => Migration(m, planned: true)).ToArray(),
            error = r.Error is null ? null : new
            {
                errorId = r.Error.ErrorId,
                message = r.Error.Message,
                version = r.Error.Version,
                script = r.Error.Script,
                statement = r.Error.Statement,
                statementsCompleted = r.Error.StatementsCompleted,
                position = r.Error.Position,
                sqlState = r.Error.SqlState,
            },
            dryRun = r.DryRun,
            durationMs = (long)r.Duration.TotalMilliseconds,
            runId = r.RunId,
        };

        /// <summary>A planned migration has no journal state yet: it shows as "Planned", never as the default "Succeeded".</summary>
        private static object Migration(AppliedMigration m, bool planned) => new
        {
            version = m.Version,
            description = m.Description,
            kind = m.Kind,
            script = m.Script,
            state = planned ? "Planned" : m.State.ToString(),
            durationMs = (long)m.Duration.TotalMilliseconds,
        };
    }
}

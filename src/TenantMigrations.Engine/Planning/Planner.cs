using TenantMigrations.Engine.Dialects;
using TenantMigrations.Engine.Journal;
using TenantMigrations.Engine.Migrations;

namespace TenantMigrations.Engine.Planning;

/// <summary>Compares a tenant's journal with the migration set. Pure: no I/O.</summary>
public static class Planner
{
    public static TenantPlan Plan(MigrationSet set, Tenant tenant, JournalSnapshot journal, PlanOptions options, IDatabaseDialect dialect)
    {
        var supportsTransactionalDdl = dialect.SupportsTransactionalDdl;
        var entries = journal.Entries;
        // Loops, not LINQ: a status plans every tenant of the fleet.
        var latestByVersion = new Dictionary<MigrationVersion, JournalEntry>();
        var incomplete = new List<string>();
        foreach (var entry in entries)
        {
            if (entry.State == JournalState.Running) incomplete.Add(entry.Key);
            if (entry.Version is null || entry.Kind is not (MigrationKind.Versioned or MigrationKind.Undo or MigrationKind.Baseline) || IsFailedUndo(entry)) continue;
            var version = set.JournalVersion(entry.Version);
            if (!latestByVersion.TryGetValue(version, out var latest) || entry.InstalledRank > latest.InstalledRank) latestByVersion[version] = entry;
        }
        var applied = new Dictionary<MigrationVersion, JournalEntry>();
        var failed = new List<MigrationVersion>();
        MigrationVersion? current = null;
        // A baseline row at V stands for every version up to V: the schema was there before the journal was.
        MigrationVersion? baseline = null;
        foreach (var (version, entry) in latestByVersion)
        {
            if (entry.State == JournalState.Failed) failed.Add(version);
            if (entry.State != JournalState.Succeeded || entry.Kind == MigrationKind.Undo) continue;
            applied.Add(version, entry);
            if (current is null || version > current) current = version;
            if (entry.Kind == MigrationKind.Baseline && (baseline is null || version > baseline)) baseline = version;
        }
        failed.Sort();
        var values = Placeholders.ValuesFor(tenant, set.Settings);

        var invalid = new List<string>();
        var checksumMismatches = new List<string>();
        var missingFiles = new List<string>();
        var appliedVersions = new List<MigrationVersion>(applied.Keys);
        appliedVersions.Sort();
        foreach (var version in appliedVersions)
        {
            var entry = applied[version];
            if (entry.Kind == MigrationKind.Baseline) continue;
            var file = set.FindVersion(version)?.FileFor(tenant.Engine);
            if (file is null) missingFiles.Add(version.Text);
            else if (!string.Equals(file.Checksum, entry.Checksum, StringComparison.OrdinalIgnoreCase)) checksumMismatches.Add(version.Text);
        }

        var pending = new List<PlannedMigration>();
        var outOfOrder = new List<string>();
        var nonRetryableFailure = (string?)null;
        foreach (var migration in set.Versioned)
        {
            if (applied.ContainsKey(migration.Version!) || baseline is not null && migration.Version! <= baseline) continue;
            if (options.TargetVersion is not null && migration.Version! > options.TargetVersion) break;
            var planned = Prepare(set, migration, tenant, values, dialect, invalid);
            if (planned is null) continue;
            var isOutOfOrder = current is not null && migration.Version! < current;
            if (isOutOfOrder) outOfOrder.Add(migration.Key);
            var retry = failed.Contains(migration.Version!);
            if (retry && !(supportsTransactionalDdl && planned.Transactional)) nonRetryableFailure ??= migration.Key;
            pending.Add(planned with { OutOfOrder = isOutOfOrder, Retry = retry });
        }
        // Repeatables follow the latest schema, so a run that stops at a target version leaves them alone.
        foreach (var repeatable in options.TargetVersion is null ? set.Repeatable : [])
        {
            var file = repeatable.FileFor(tenant.Engine);
            var last = entries
                .Where(e => e.Kind == MigrationKind.Repeatable && e.State == JournalState.Succeeded && string.Equals(e.Description, repeatable.Description, StringComparison.OrdinalIgnoreCase))
                .MaxBy(e => e.InstalledRank);
            if (file is not null && last is not null && string.Equals(last.Checksum, file.Checksum, StringComparison.OrdinalIgnoreCase)) continue;
            var planned = Prepare(set, repeatable, tenant, values, dialect, invalid);
            if (planned is not null) pending.Add(planned);
        }

        MigrationError? blocker = null;
        TenantState state;
        if (invalid.Count > 0)
        {
            state = TenantState.Invalid;
            blocker = new MigrationError { ErrorId = ErrorIds.InvalidMigration, Message = string.Join(" ", invalid) };
        }
        else if (incomplete.Count > 0)
        {
            state = TenantState.Incomplete;
            var reached = entries.Where(e => e.State == JournalState.Running && e.Error is not null).Select(e => $" {e.Key} had reached: {e.Error}.").FirstOrDefault() ?? "";
            blocker = new MigrationError
            {
                ErrorId = ErrorIds.IncompleteMigration,
                Version = incomplete[0],
                Message = $"incomplete migration {string.Join(", ", incomplete)}: a run stopped while it was running.{reached} Check the tenant by hand, then run Repair to mark it.",
            };
        }
        else if (nonRetryableFailure is not null)
        {
            state = TenantState.Failed;
            blocker = new MigrationError
            {
                ErrorId = ErrorIds.MigrationFailed,
                Version = nonRetryableFailure,
                Message = $"migration {nonRetryableFailure} failed earlier outside a transaction and may be partly applied. Fix the tenant by hand, then run Repair.",
            };
        }
        else if (checksumMismatches.Count > 0 || missingFiles.Count > 0)
        {
            state = TenantState.Drifted;
            var details = checksumMismatches.Select(v => $"{v} was edited after it was applied").Concat(missingFiles.Select(v => $"{v} was applied but its file is gone"));
            blocker = new MigrationError
            {
                ErrorId = checksumMismatches.Count > 0 ? ErrorIds.ChecksumMismatch : ErrorIds.MissingMigration,
                Version = checksumMismatches.Concat(missingFiles).First(),
                Message = $"drift: {string.Join("; ", details)}. Restore the files, or run Repair to accept them.",
            };
        }
        else if (failed.Count > 0)
        {
            state = TenantState.Failed;
        }
        else if (options.TargetVersion is not null && current is not null && current > options.TargetVersion)
        {
            state = pending.Count > 0 ? TenantState.Pending : TenantState.UpToDate;
            blocker = new MigrationError
            {
                ErrorId = ErrorIds.TargetBelowCurrent,
                Version = current.Text,
                Message = $"the tenant is at version {current}, above the target {options.TargetVersion}: migrate never goes down. Use undo with the target {options.TargetVersion} to go back.",
            };
        }
        else if (pending.Count > 0)
        {
            state = TenantState.Pending;
            if (outOfOrder.Count > 0 && !options.AllowOutOfOrder)
            {
                blocker = new MigrationError
                {
                    ErrorId = ErrorIds.OutOfOrder,
                    Version = outOfOrder[0],
                    Message = $"pending version(s) {string.Join(", ", outOfOrder)} are lower than the applied version {current}; pass AllowOutOfOrder to run them.",
                };
            }
        }
        else
        {
            state = TenantState.UpToDate;
        }

        return new TenantPlan
        {
            Tenant = tenant,
            State = state,
            CurrentVersion = current?.Text,
            Pending = pending,
            Failed = failed.Select(v => v.Text).ToList(),
            ChecksumMismatches = checksumMismatches,
            MissingFiles = missingFiles,
            OutOfOrder = outOfOrder,
            Incomplete = incomplete,
            LastAppliedAt = LastAppliedAt(entries),
            Blocker = blocker,
            Journal = entries,
        };
    }

    private static DateTime? LastAppliedAt(IReadOnlyList<JournalEntry> entries)
    {
        DateTime? last = null;
        foreach (var entry in entries)
        {
            if (entry.State == JournalState.Succeeded && entry.FinishedAt is { } finished && (last is null || finished > last)) last = finished;
        }
        return last;
    }

    /// <summary>A failed undo leaves its version applied: it rolled back, or (outside a transaction) its error says how far it got.</summary>
    internal static bool IsFailedUndo(JournalEntry entry) => entry.Kind == MigrationKind.Undo && entry.State == JournalState.Failed;

    internal static PlannedMigration? Prepare(MigrationSet set, Migration migration, Tenant tenant, PlaceholderValues values, IDatabaseDialect dialect, List<string> invalid)
    {
        var file = migration.FileFor(tenant.Engine);
        if (file is null)
        {
            invalid.Add($"{migration} has no file for {tenant.Engine} (add a plain .sql file or a .{EngineSuffix(tenant.Engine)}.sql variant).");
            return null;
        }
        // A script without placeholders is sent as it is: a replayed script was rendered once already, for its source.
        if (file.Placeholders.Count == 0) return new PlannedMigration(migration, file, file.Content, set.StatementsOf(file, dialect), OutOfOrder: false, Retry: false);
        var problems = Placeholders.Problems(file, values);
        if (problems.Count > 0)
        {
            invalid.AddRange(problems);
            return null;
        }
        // The file is split before any value is substituted: a value can change what a statement says, never how many there are.
        var split = set.StatementsOf(file, dialect);
        // Without placeholders every tenant runs the same statements: share the split list instead of copying it.
        IReadOnlyList<string> statements = file.Content.Contains("${", StringComparison.Ordinal) ? split.Select(statement => Placeholders.Render(statement, values, dialect)).ToList() : split;
        return new PlannedMigration(migration, file, Placeholders.Render(file.Content, values, dialect), statements, OutOfOrder: false, Retry: false);
    }

    public static string EngineSuffix(DatabaseEngine engine) => engine switch
    {
        DatabaseEngine.Postgres => "postgres",
        DatabaseEngine.MySql => "mysql",
        _ => "sqlite",
    };
}

using System.Data.Common;
using TenantMigrations.Engine.Dialects;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Journal;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Planning;

namespace TenantMigrations.Engine.Commands;

/// <summary>What a repair would change in one tenant's journal.</summary>
public sealed record RepairPlan(Tenant Tenant, TenantState State, IReadOnlyList<string> Failed, IReadOnlyList<string> Incomplete, IReadOnlyList<string> Realign, IReadOnlyList<string> Missing, MigrationError? Problem)
{
    public bool HasChanges => Failed.Count + Incomplete.Count + Realign.Count > 0;

    /// <summary>The ShouldProcess action text.</summary>
    public string Describe()
    {
        var parts = new List<string>();
        if (Failed.Count > 0) parts.Add($"remove failed journal rows of {string.Join(", ", Failed)} (they run again next time)");
        if (Incomplete.Count > 0) parts.Add($"remove incomplete journal rows of {string.Join(", ", Incomplete)} (they run again next time)");
        if (Realign.Count > 0) parts.Add($"accept the current files of {string.Join(", ", Realign)} as applied (realign checksums)");
        return "Repair the journal: " + string.Join("; ", parts);
    }
}

/// <summary>
/// Clears what a human has fixed by hand: failed and incomplete journal rows are removed (the migration becomes pending
/// again), and the checksums of edited, already applied files are realigned. Everything happens under the tenant's
/// migration lock and in one transaction. Applied migrations whose file is gone are left for a human to restore.
/// </summary>
public sealed class JournalRepair(MigrationSet set, FleetMigrator? migrator = null, TimeSpan? lockTimeout = null, ConnectionLimits? limits = null)
{
    private readonly FleetMigrator migrator = migrator ?? new FleetMigrator();
    private readonly TimeSpan lockTimeout = lockTimeout ?? TimeSpan.FromSeconds(10);

    private string JournalTable => set.Settings.JournalTable;

    /// <summary>Reads the journal without changing anything (a SQLite tenant without a file stays without one).</summary>
    public async Task<RepairPlan> PlanAsync(Tenant tenant, CancellationToken cancellationToken = default)
    {
        var dialect = migrator.DialectFor(tenant);
        JournalSnapshot snapshot;
        try
        {
            dialect.Validate(tenant);
            await using var connection = dialect.CreateConnection(tenant, forWriting: false, limits);
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await dialect.PrepareSessionAsync(connection, tenant, cancellationToken).ConfigureAwait(false);
            snapshot = await dialect.ReadJournalAsync(connection, tenant, JournalTable, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var problem = new MigrationError { ErrorId = ErrorIds.TenantUnreachable, Message = Redaction.MessageOf(ex, tenant) };
            return new RepairPlan(tenant, TenantState.Unreachable, [], [], [], [], problem);
        }
        return PlanFor(tenant, snapshot, dialect);
    }

    /// <summary>Repairs the tenant under its lock, re-reading the journal there so the changes match what is stored now.</summary>
    public async Task<TenantRepairResult> RepairAsync(Tenant tenant, CancellationToken cancellationToken = default)
    {
        var dialect = migrator.DialectFor(tenant);
        var result = new TenantRepairResult { Tenant = tenant };
        DbConnection connection;
        try
        {
            dialect.Validate(tenant);
            connection = dialect.CreateConnection(tenant, forWriting: true, limits);
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await dialect.PrepareSessionAsync(connection, tenant, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return Fail(result, TenantState.Unreachable, ErrorIds.TenantUnreachable, Redaction.MessageOf(ex, tenant));
        }

        await using (connection.ConfigureAwait(false))
        {
            var tenantLock = await dialect.TryLockAsync(connection, tenant, JournalTable, lockTimeout, cancellationToken).ConfigureAwait(false);
            if (tenantLock is null)
            {
                return Fail(result, TenantState.Locked, ErrorIds.TenantLocked, $"another runner holds the migration lock of tenant '{tenant.Name}' (waited {lockTimeout.TotalSeconds:0.#} s).");
            }
            await using (tenantLock.ConfigureAwait(false))
            {
                var snapshot = await dialect.ReadJournalAsync(connection, tenant, JournalTable, cancellationToken).ConfigureAwait(false);
                var plan = PlanFor(tenant, snapshot, dialect);
                result.StateBefore = plan.State;
                result.MissingFiles = [.. plan.Missing];
                if (plan.HasChanges)
                {
                    await ApplyAsync(connection, dialect, tenant, snapshot, plan, cancellationToken).ConfigureAwait(false);
                    result.RemovedFailed = [.. plan.Failed];
                    result.RemovedIncomplete = [.. plan.Incomplete];
                    result.RealignedChecksums = [.. plan.Realign];
                    snapshot = await dialect.ReadJournalAsync(connection, tenant, JournalTable, cancellationToken).ConfigureAwait(false);
                }
                var after = Planner.Plan(set, tenant, snapshot, new PlanOptions { AllowOutOfOrder = true }, dialect);
                result.StateAfter = after.State;
                if (plan.Missing.Count > 0) result.Error = MissingFilesError(plan.Missing);
                return result;
            }
        }
    }

    public static MigrationError MissingFilesError(IReadOnlyList<string> missing) => new()
    {
        ErrorId = ErrorIds.MissingMigration,
        Version = missing[0],
        Message = $"applied migration(s) {string.Join(", ", missing)} have no file; restore the files: repair does not remove applied history.",
    };

    private RepairPlan PlanFor(Tenant tenant, JournalSnapshot snapshot, IDatabaseDialect dialect)
    {
        var plan = Planner.Plan(set, tenant, snapshot, new PlanOptions { AllowOutOfOrder = true }, dialect);
        var failed = snapshot.Entries.Where(e => e.State == JournalState.Failed).Select(e => e.Key).Distinct().ToList();
        var incomplete = snapshot.Entries.Where(e => e.State == JournalState.Running).Select(e => e.Key).Distinct().ToList();
        return new RepairPlan(tenant, plan.State, failed, incomplete, plan.ChecksumMismatches, plan.MissingFiles, null);
    }

    private async Task ApplyAsync(DbConnection connection, IDatabaseDialect dialect, Tenant tenant, JournalSnapshot snapshot, RepairPlan plan, CancellationToken cancellationToken)
    {
        var table = dialect.JournalTableName(tenant, JournalTable);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var entry in snapshot.Entries.Where(e => e.State is JournalState.Failed or JournalState.Running))
        {
            await ExecuteAsync(connection, transaction, $"DELETE FROM {table} WHERE installed_rank = @rank", cancellationToken, ("rank", entry.InstalledRank)).ConfigureAwait(false);
        }
        foreach (var versionText in plan.Realign)
        {
            var version = MigrationVersion.Parse(versionText);
            var file = set.FindVersion(version)?.FileFor(tenant.Engine);
            var applied = snapshot.Entries
                .Where(e => e.Version is not null && e.State == JournalState.Succeeded && e.Kind != MigrationKind.Undo && MigrationVersion.Parse(e.Version).Equals(version))
                .MaxBy(e => e.InstalledRank);
            if (file is null || applied is null) continue;
            await ExecuteAsync(connection, transaction, $"UPDATE {table} SET checksum = @checksum WHERE installed_rank = @rank", cancellationToken,
                ("checksum", file.Checksum), ("rank", applied.InstalledRank)).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction transaction, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@" + name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static TenantRepairResult Fail(TenantRepairResult result, TenantState state, string errorId, string message)
    {
        result.StateBefore = result.StateAfter = state;
        result.Error = new MigrationError { ErrorId = errorId, Message = message };
        return result;
    }
}

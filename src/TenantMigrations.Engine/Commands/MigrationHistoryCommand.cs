using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Journal;
using TenantMigrations.Engine.Migrations;

namespace TenantMigrations.Engine.Commands;

/// <summary>
/// Get-TenantMigrationHistory without PowerShell: each tenant's journal rows, oldest first, read through the tenant's
/// dialect and never changed. A tenant whose journal cannot be read is that tenant's error; the others carry on.
/// </summary>
public sealed class MigrationHistoryCommand(MigrationSet set, HistoryFilter filter, ConnectionLimits? limits = null, FleetMigrator? migrator = null)
    : FleetCommand(set, migrator)
{
    public IReadOnlyList<TenantMigrationHistoryEntry> Run(ICommandHost host)
    {
        var entries = new List<TenantMigrationHistoryEntry>();
        var progress = new FleetProgress(host, "Reading journals", Tenants.Count);
        try
        {
            foreach (var tenant in Tenants)
            {
                if (IsCancelled) break;
                progress.Started(tenant.Name, $"{tenant.Name}: reading the journal");
                var snapshot = ReadAsync(tenant).GetAwaiter().GetResult();
                progress.Finished(tenant.Name);
                if (snapshot.UnreachableReason is not null)
                {
                    var errorId = snapshot.InvalidTenant ? ErrorIds.InvalidTenant : ErrorIds.TenantUnreachable;
                    host.WriteError(TenantErrors.ForTenant(tenant, errorId, snapshot.UnreachableReason, tenant));
                    continue;
                }
                foreach (var entry in snapshot.Entries.Where(filter.Matches).OrderBy(e => e.InstalledRank))
                {
                    var row = ToHistoryEntry(tenant, entry);
                    entries.Add(row);
                    host.WriteObject(row);
                }
            }
        }
        finally
        {
            progress.Complete();
        }
        return entries;
    }

    private async Task<JournalSnapshot> ReadAsync(Tenant tenant)
    {
        var dialect = Migrator.DialectFor(tenant);
        if (TenantChecks.Problem(dialect, tenant) is { } problem) return JournalSnapshot.Invalid(problem);
        try
        {
            var snapshots = await dialect.ReadJournalsAsync([tenant], Set.Settings.JournalTable, limits ?? new ConnectionLimits(), CancellationToken).ConfigureAwait(false);
            return snapshots.TryGetValue(tenant, out var snapshot) ? snapshot : JournalSnapshot.Unreachable("the journal could not be read.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return JournalSnapshot.Unreachable(Redaction.MessageOf(ex, tenant));
        }
    }

    private static TenantMigrationHistoryEntry ToHistoryEntry(Tenant tenant, JournalEntry entry) => new()
    {
        Tenant = tenant,
        InstalledRank = entry.InstalledRank,
        Version = entry.Version,
        Description = entry.Description,
        Kind = entry.Kind,
        State = entry.State,
        AppliedAt = entry.StartedAt,
        AppliedBy = entry.AppliedBy,
        RunId = entry.RunId,
        Duration = entry.DurationMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null,
        Error = entry.Error,
        ScriptName = entry.ScriptName,
    };
}

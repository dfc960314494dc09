using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Replay;

namespace TenantMigrations.Engine.Commands;

/// <summary>
/// Copy-TenantMigrationHistory without PowerShell: reads the source tenant's recorded history, checks that the target
/// exists and is empty, and migrates the target with that history as an in-memory migration set, through the normal
/// migrate command (same ShouldProcess, journal rows, results and errors). Versions, descriptions, checksums and file
/// names in the target's journal are the source's.
/// </summary>
public sealed class HistoryReplayCommand(MigrationSet settingsSource, Tenant from, Tenant to, MigrateOptions options, FleetMigrator? migrator = null) : IDisposable
{
    private readonly CancellationTokenSource cancellation = new();
    private readonly FleetMigrator fleet = migrator ?? new FleetMigrator();

    public MigrationRunSummary Run(ICommandHost host)
    {
        var journalTable = settingsSource.Settings.JournalTable;
        if (from.InputProblem is not null) throw CommandErrorIds.Terminating(ErrorIds.InvalidTenant, $"-From: {from.InputProblem}", from.Input ?? from);
        if (to.InputProblem is not null) throw CommandErrorIds.Terminating(ErrorIds.InvalidTenant, $"-To: {to.InputProblem}", to.Input ?? to);
        if (IsSameTenant(from, to))
        {
            throw ReplayErrorIds.Terminating(ReplayErrorIds.InvalidReplayTenants, $"The source '{from.Name}' and the target '{to.Name}' are the same tenant (same engine, database and schema): replay into a new, empty one.", to);
        }

        RecordedHistory history;
        MigrationSet set;
        try
        {
            host.WriteVerbose($"{from.Name}: reading the journal {journalTable}");
            history = HistoryReader.ReadAsync(fleet.DialectFor(from), from, journalTable, options.Limits, cancellation.Token).GetAwaiter().GetResult();
            foreach (var warning in history.Warnings()) host.WriteWarning(warning);
            if (SourceSchemaReferences.Find(history) is [_, ..] named && !string.Equals(from.Schema, to.Schema, StringComparison.Ordinal))
            {
                throw new RecordedHistoryException(ReplayErrorIds.HistoryNotReplayable,
                    $"{SourceSchemaReferences.Describe(history, named)}: replayed into '{to.Name}' they would change '{from.Name}' itself. Export the history, take the schema name out of those files, and migrate '{to.Name}' with that folder.");
            }
            set = ReplaySet.From(history, settingsSource.Settings);
        }
        catch (RecordedHistoryException ex)
        {
            throw ReplayErrorIds.Terminating(ex.ErrorId, ex.Message, from);
        }
        catch (MigrationSetException ex)
        {
            throw ReplayErrorIds.Terminating(ReplayErrorIds.HistoryNotReplayable, $"Tenant '{from.Name}': a recorded script cannot run: {ex.Message}", from);
        }
        try
        {
            host.WriteVerbose($"{to.Name}: checking that the target is empty");
            ReplayTarget.EnsureEmptyAsync(fleet.DialectFor(to), to, journalTable, options.Limits, cancellation.Token).GetAwaiter().GetResult();
        }
        catch (RecordedHistoryException ex)
        {
            throw ReplayErrorIds.Terminating(ex.ErrorId, ex.Message, to);
        }

        host.WriteVerbose($"Replaying {history.Versioned.Count} version(s) and {history.Repeatable.Count} repeatable(s) of '{from.Name}' into '{to.Name}'.");
        using var migrate = new TenantMigrationCommand(set, options with { Plan = new Planning.PlanOptions() }, fleet);
        using var forward = cancellation.Token.Register(migrate.Cancel);
        migrate.Add(to, host);
        return migrate.Run(host);
    }

    public void Cancel()
    {
        try
        {
            cancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public void Dispose()
    {
        cancellation.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>The same database objects: a name alone does not tell, since a staging copy may carry the production name.</summary>
    private static bool IsSameTenant(Tenant a, Tenant b)
    {
        if (a.Engine != b.Engine || !string.Equals(a.Schema ?? "", b.Schema ?? "", StringComparison.Ordinal)) return false;
        if (a.Engine != DatabaseEngine.Sqlite) return string.Equals(a.GetConnectionString(), b.GetConnectionString(), StringComparison.Ordinal);
        try
        {
            return string.Equals(Dialects.Sqlite.SqliteDialect.DatabasePath(a), Dialects.Sqlite.SqliteDialect.DatabasePath(b), StringComparison.Ordinal);
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}

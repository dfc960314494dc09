using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Replay;

namespace TenantMigrations.Engine.Commands;

/// <summary>
/// Export-TenantMigrationHistory without PowerShell: one tenant's recorded history written as a migrations folder.
/// The journal is only read. Failed and incomplete rows are left out with a warning.
/// </summary>
public sealed class HistoryExportCommand(MigrationSet set, string outputFolder, bool force, ConnectionLimits? limits = null, FleetMigrator? migrator = null)
    : FleetCommand(set, migrator)
{
    public TenantHistoryExport? Run(ICommandHost host)
    {
        if (Tenants.Count == 0) return null;
        if (Tenants.Count > 1)
        {
            throw ReplayErrorIds.Terminating(ReplayErrorIds.InvalidReplayTenants,
                $"A history export writes one tenant's history into one folder, but {Tenants.Count} tenants were given ({string.Join(", ", Tenants.Take(5).Select(t => t.Name))}{(Tenants.Count > 5 ? ", ..." : "")}): pick one.", outputFolder);
        }
        var tenant = Tenants[0];
        try
        {
            HistoryFolderWriter.CheckFolder(outputFolder, force);
        }
        catch (RecordedHistoryException ex)
        {
            throw ReplayErrorIds.Terminating(ex.ErrorId, ex.Message, outputFolder);
        }
        try
        {
            host.WriteVerbose($"{tenant.Name}: reading the journal {Set.Settings.JournalTable}");
            var history = HistoryReader.ReadAsync(Migrator.DialectFor(tenant), tenant, Set.Settings.JournalTable, limits ?? new ConnectionLimits(), CancellationToken).GetAwaiter().GetResult();
            foreach (var warning in history.Warnings()) host.WriteWarning(warning);
            if (SourceSchemaReferences.Find(history) is [_, ..] named)
            {
                host.WriteWarning($"{SourceSchemaReferences.Describe(history, named)}: wherever the exported folder runs, those scripts change that schema. Edit them before you run the folder against another tenant.");
            }
            var files = HistoryFolderWriter.Write(history, outputFolder, force, DateTime.UtcNow);
            var export = new TenantHistoryExport
            {
                Tenant = tenant,
                OutputPath = outputFolder,
                CurrentVersion = history.CurrentVersion,
                Versions = history.Versioned.Select(s => s.Key).ToArray(),
                Repeatables = history.Repeatable.Select(s => s.Description).ToArray(),
                Files = [.. files],
                Skipped = history.Skipped.Select(e => e.Key).ToArray(),
            };
            host.WriteObject(export);
            return export;
        }
        catch (RecordedHistoryException ex)
        {
            host.WriteError(ReplayErrorIds.Error(ex.ErrorId, ex.Message, tenant));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            host.WriteError(CommandErrorIds.Error(CommandErrorIds.ExportFailed, $"Tenant '{tenant.Name}': the history could not be written to {outputFolder}: {ex.Message}", tenant, ex));
        }
        return null;
    }
}

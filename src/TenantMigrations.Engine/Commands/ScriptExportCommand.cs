using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Planning;

namespace TenantMigrations.Engine.Commands;

/// <summary>
/// Export-TenantMigrationSql without PowerShell: the exact SQL a migrate would run per tenant, written to one file
/// per tenant in <paramref name="outputFolder"/>, or returned as objects when it is null. Each script is written as an
/// object; a tenant with a problem is also a non-terminating error.
/// </summary>
public sealed class ScriptExportCommand(MigrationSet set, PlanOptions planOptions, int throttleLimit, string? outputFolder, bool force, FleetMigrator? migrator = null, ConnectionLimits? limits = null)
    : FleetCommand(set, migrator)
{
    public IReadOnlyList<TenantMigrationScript> Run(ICommandHost host)
    {
        var exports = Drain((_, token) => Migrator.ExportAsync(Tenants, Set, planOptions, throttleLimit, limits, token), _ => { });
        if (outputFolder is not null && !force && RefuseExistingFiles(host, exports)) return [];
        if (outputFolder is not null) Directory.CreateDirectory(outputFolder);
        var scripts = new List<TenantMigrationScript>();
        foreach (var export in exports)
        {
            var script = new TenantMigrationScript
            {
                Tenant = export.Tenant,
                State = export.State,
                Versions = [.. export.Versions],
                Sql = export.Sql,
                Problem = export.Problem,
            };
            if (outputFolder is not null && !TryWrite(host, script)) continue;
            scripts.Add(script);
            host.WriteObject(script);
            if (script.Problem is not null)
            {
                host.WriteError(TenantErrors.ForTenant(script.Tenant, TenantErrors.ErrorIdFor(script.State, hasOutOfOrder: true), script.Problem, script));
            }
        }
        return scripts;
    }

    /// <summary>The file a tenant's script goes to: its name, made safe for every file system.</summary>
    public static string FileNameFor(Tenant tenant)
    {
        var invalid = Path.GetInvalidFileNameChars().Concat(['/', '\\', ':', '*', '?', '"', '<', '>', '|']).ToHashSet();
        var safe = new string(tenant.Name.Select(c => invalid.Contains(c) || char.IsControl(c) ? '_' : c).ToArray());
        return safe.Trim('.', ' ') is { Length: > 0 } name ? name + ".sql" : "tenant.sql";
    }

    /// <summary>
    /// A reviewed script is never overwritten by accident, and a half-written folder would mix old and new scripts:
    /// without -Force, one existing file means nothing is written. True when it refused.
    /// </summary>
    private bool RefuseExistingFiles(ICommandHost host, IEnumerable<TenantScriptExport> exports)
    {
        var existing = exports.Select(e => Path.Combine(outputFolder!, FileNameFor(e.Tenant))).Where(File.Exists).ToList();
        foreach (var path in existing)
        {
            host.WriteError(CommandErrorIds.Error(CommandErrorIds.MigrationFileExists, $"{path} already exists: nothing was written. Pass -Force (CLI: --force) to overwrite it.", path));
        }
        return existing.Count > 0;
    }

    private bool TryWrite(ICommandHost host, TenantMigrationScript script)
    {
        var path = Path.Combine(outputFolder!, FileNameFor(script.Tenant));
        try
        {
            File.WriteAllText(path, script.Sql);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            host.WriteError(CommandErrorIds.Error(CommandErrorIds.ExportFailed, $"Could not write {path}: {ex.Message}", path, ex));
            return false;
        }
        script.Path = path;
        return true;
    }
}

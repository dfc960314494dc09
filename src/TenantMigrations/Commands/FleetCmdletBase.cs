using System.Management.Automation;
using TenantMigrations.Engine;
using TenantMigrations.Engine.Commands;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Tenants;

namespace TenantMigrations.Commands;

/// <summary>
/// The parameters and the pipeline shape shared by the cmdlets that work on a fleet: tenants are collected in
/// ProcessRecord and the work runs in EndProcessing, so that pipeline tenants run in parallel.
/// Engine types stay out of every public signature: PowerShell reflects over them before the engine is resolvable.
/// </summary>
public abstract class FleetCmdletBase : PSCmdlet, IDisposable
{
    private FleetCommand? command;

    private PowerShellSecretResolver? secrets;

    /// <summary>Tenants, objects that carry one (status, result), or rows with Name, Engine, ConnectionString, Schema and Tags.</summary>
    [Parameter(ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [TenantTransformation]
    [ValidateNotNull]
    public Tenant[]? Tenant { get; set; }

    /// <summary>The migrations folder.</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    private protected string CurrentFolder => SessionState.Path.CurrentFileSystemLocation.ProviderPath;

    private protected ICommandHost CommandHost => new CmdletHost(this);

    /// <summary>False for cmdlets that still have something to say without tenants (Test checks the folder alone).</summary>
    private protected virtual bool TenantsRequired => true;

    private protected abstract FleetCommand CreateCommand(MigrationSet set);

    private protected abstract void Run(FleetCommand fleetCommand);

    protected override void BeginProcessing()
    {
        RunGuarded(() =>
        {
            var set = MigrationFolders.Load(Path is null ? null : GetUnresolvedProviderPathFromPSPath(Path), CurrentFolder);
            WriteVerbose($"Migrations folder {set.Folder}: {set.Versioned.Count} versioned, {set.Repeatable.Count} repeatable.");
            command = CreateCommand(set);
        });
    }

    protected override void ProcessRecord()
    {
        foreach (var tenant in Tenant ?? []) command!.Add(WithSecret(tenant), CommandHost);
    }

    protected override void EndProcessing()
    {
        RunGuarded(() =>
        {
            if (command!.Tenants.Count == 0 && !MyInvocation.ExpectingInput && !MyInvocation.BoundParameters.ContainsKey(nameof(Tenant)))
            {
                try
                {
                    foreach (var tenant in MigrationFolders.DefaultTenants(CurrentFolder)) command.Add(WithSecret(tenant), CommandHost);
                }
                catch (CommandTerminatingException ex) when (!TenantsRequired && ex.Error.ErrorId == CommandErrorIds.NoTenants)
                {
                    WriteVerbose("No tenants: only the migrations folder was checked.");
                }
            }
            if (command.Tenants.Count == 0)
            {
                WriteVerbose("No tenants to work on.");
            }
            Run(command);
        });
    }

    protected override void StopProcessing() => command?.Cancel();

    /// <summary>A tenant naming a secret gets it here, on the pipeline thread, before any worker starts.</summary>
    private Tenant WithSecret(Tenant tenant) =>
        TenantSecrets.NamesSecret(tenant) ? TenantSecrets.Resolve(tenant, secrets ??= new PowerShellSecretResolver(this)) : tenant;

    /// <summary>Turns a failure of the whole call into a terminating error; a stopped pipeline just ends.</summary>
    private protected void RunGuarded(Action action)
    {
        try
        {
            action();
        }
        catch (CommandTerminatingException ex)
        {
            ThrowTerminatingError(CmdletHost.ToErrorRecord(ex.Error));
        }
        catch (OperationCanceledException) when (command?.IsCancelled == true)
        {
            // Stopped with Ctrl+C: PowerShell reports the stop itself.
        }
    }

    private protected MigrationVersion? ParseTargetVersion(string? targetVersion, MigrationSet set)
    {
        if (targetVersion is null) return null;
        if (!MigrationVersion.TryParse(targetVersion, out var version))
        {
            throw CommandErrorIds.Terminating(ErrorIds.InvalidMigration, $"'{targetVersion}' is not a version: use digits separated by dots, e.g. 1.2 or 20261121093000.", targetVersion);
        }
        if (set.FindVersion(version) is null) WriteWarning($"Version {targetVersion} is not in {set.Folder}; tenants stop at the last version below it.");
        return version;
    }

    /// <summary>PowerShell disposes a cmdlet that is IDisposable when its pipeline ends.</summary>
    public void Dispose()
    {
        command?.Dispose();
        GC.SuppressFinalize(this);
    }
}

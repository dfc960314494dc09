using System.Collections;
using System.Management.Automation;
using TenantMigrations.Engine;
using TenantMigrations.Engine.Commands;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Tenants;


namespace TenantMigrations.Commands;

/// <summary>
/// Creates tenants (a SQLite file, a PostgreSQL schema or database, a MySQL database) and brings them up to date in one
/// step, from a template where one is named. An existing tenant is only migrated, so running it again is harmless.
/// </summary>
[Cmdlet(VerbsCommon.New, "Tenant", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = PipelineSet, HelpUri = HelpLinks.Base + "New-Tenant.md")]
[OutputType(typeof(TenantMigrationResult))]
public sealed class NewTenantCommand : PlanningCmdletBase
{
    private const string PipelineSet = "Tenant";
    private const string ByNameSet = "Name";
    private const int DefaultLockTimeoutSec = 10;
    private const int DefaultDdlLockTimeoutSec = 5;

    /// <summary>The new tenant's name, with -ConnectionString (as New-TenantObject takes them).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ByNameSet)]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = ByNameSet)]
    [ValidateNotNullOrEmpty]
    public string? ConnectionString { get; set; }

    [Parameter(ParameterSetName = ByNameSet)]
    public DatabaseEngine Engine { get; set; } = DatabaseEngine.Sqlite;

    [Parameter(ParameterSetName = ByNameSet)]
    [ValidateNotNullOrEmpty]
    public string? Schema { get; set; }

    [Parameter(ParameterSetName = ByNameSet)]
    [Alias("Tags")]
    public string[]? Tag { get; set; }

    /// <summary>Extra values, used as ${name} placeholders in the migrations.</summary>
    [Parameter(ParameterSetName = ByNameSet)]
    [Alias("Properties")]
    public Hashtable? Property { get; set; }

    [Parameter(ParameterSetName = ByNameSet)]
    [ValidateNotNull]
    public PSCredential? Credential { get; set; }

    /// <summary>
    /// The template tenant to copy a missing tenant from: a schema or database on the same server, or a SQLite file
    /// (a bare name is a file beside the tenant's). MySQL has no cloning: there the migrations are replayed.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Template { get; set; }

    /// <summary>Seconds to wait for a tenant's migration lock before reporting it locked.</summary>
    [Parameter]
    [ValidateRange(0, 86400)]
    [PSDefaultValue(Value = DefaultLockTimeoutSec)]
    public int LockTimeoutSec { get; set; } = DefaultLockTimeoutSec;

    /// <summary>Seconds a migration's DDL may wait for a table lock before it is rolled back and retried.</summary>
    [Parameter]
    [ValidateRange(0, 3600)]
    [PSDefaultValue(Value = DefaultDdlLockTimeoutSec)]
    public int DdlLockTimeoutSec { get; set; } = DefaultDdlLockTimeoutSec;

    private bool namedTenantAdded;

    private protected override FleetCommand CreateCommand(MigrationSet set) => new TenantProvisionCommand(set, new MigrateOptions
    {
        Plan = PlanOptionsFor(set),
        ThrottleLimit = ThrottleLimit,
        LockTimeout = TimeSpan.FromSeconds(LockTimeoutSec),
        DdlLockTimeout = TimeSpan.FromSeconds(DdlLockTimeoutSec),
        Limits = Limits,
    }, Template);

    protected override void ProcessRecord()
    {
        if (ParameterSetName == ByNameSet && !namedTenantAdded)
        {
            namedTenantAdded = true;
            try
            {
                Tenant = [NamedTenant.Create(Name!, Engine, ConnectionString!, Schema, Tag, Property, Credential, CurrentFolder)];
            }
            catch (TenantSourceException ex)
            {
                ThrowTerminatingError(CmdletHost.ToErrorRecord(CommandError.For(ErrorIds.InvalidTenant, ex.Message, Name, ex)));
            }
        }
        base.ProcessRecord();
    }

    private protected override void Run(FleetCommand fleetCommand) => ((TenantProvisionCommand)fleetCommand).Run(CommandHost);
}

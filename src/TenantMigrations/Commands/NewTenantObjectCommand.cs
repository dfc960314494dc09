using System.Collections;
using System.Management.Automation;
using TenantMigrations.Engine;
using TenantMigrations.Engine.Commands;
using TenantMigrations.Engine.Tenants;


namespace TenantMigrations.Commands;

/// <summary>
/// Builds a tenant in memory for a script; it never creates or touches a database (hence "Object": New-Tenant would
/// read as provisioning one).
/// </summary>
[Cmdlet(VerbsCommon.New, "TenantObject", HelpUri = HelpLinks.Base + "New-TenantObject.md")]
[OutputType(typeof(Tenant))]
public sealed class NewTenantObjectCommand : PSCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? ConnectionString { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public DatabaseEngine Engine { get; set; } = DatabaseEngine.Sqlite;

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Schema { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Tags")]
    public string[]? Tag { get; set; }

    /// <summary>Extra values, used as ${name} placeholders in the migrations.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Properties")]
    public Hashtable? Property { get; set; }

    [Parameter]
    [ValidateNotNull]
    public PSCredential? Credential { get; set; }

    protected override void ProcessRecord()
    {
        try
        {
            var tenant = NamedTenant.Create(Name!, Engine, ConnectionString!, Schema, Tag, Property, Credential, SessionState.Path.CurrentFileSystemLocation.ProviderPath);
            WriteObject(tenant);
        }
        catch (TenantSourceException ex)
        {
            WriteError(CmdletHost.ToErrorRecord(CommandError.For(ErrorIds.InvalidTenant, ex.Message, Name, ex)));
        }
    }
}

using System.Management.Automation;
using TenantMigrations.Engine.Execution;

namespace TenantMigrations.Commands;

/// <summary>The time limits of the cmdlets that connect to every tenant, as the command line has them.</summary>
public abstract class ConnectingCmdletBase : FleetCmdletBase
{
    /// <summary>Seconds that opening a connection may take.</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    [PSDefaultValue(Help = "the connection string's timeout, else the driver's default of 15 seconds")]
    public int ConnectTimeoutSec { get; set; }

    /// <summary>Seconds that one command may run.</summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    [PSDefaultValue(Help = "30 seconds for the tool's own queries, no limit for migration statements")]
    public int CommandTimeoutSec { get; set; }

    private protected ConnectionLimits Limits => new()
    {
        ConnectTimeout = IsBound(nameof(ConnectTimeoutSec)) ? TimeSpan.FromSeconds(ConnectTimeoutSec) : null,
        CommandTimeout = IsBound(nameof(CommandTimeoutSec)) ? TimeSpan.FromSeconds(CommandTimeoutSec) : null,
    };

    private bool IsBound(string parameter) => MyInvocation.BoundParameters.ContainsKey(parameter);
}

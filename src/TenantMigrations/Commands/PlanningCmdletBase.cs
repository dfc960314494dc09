using System.Management.Automation;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Planning;

namespace TenantMigrations.Commands;

/// <summary>The parameters of the fleet cmdlets that plan against a target: status, migrate, test and export.</summary>
public abstract class PlanningCmdletBase : ConnectingCmdletBase
{
    [Parameter]
    [ArgumentCompleter(typeof(MigrationVersionCompleter))]
    [ValidateNotNullOrEmpty]
    public string? TargetVersion { get; set; }

    [Parameter]
    public SwitchParameter AllowOutOfOrder { get; set; }

    [Parameter]
    [ValidateRange(1, 1024)]
    [PSDefaultValue(Value = DefaultThrottleLimit)]
    public int ThrottleLimit { get; set; } = DefaultThrottleLimit;

    private const int DefaultThrottleLimit = 4;

    private protected PlanOptions PlanOptionsFor(MigrationSet set) =>
        new() { TargetVersion = ParseTargetVersion(TargetVersion, set), AllowOutOfOrder = AllowOutOfOrder };
}

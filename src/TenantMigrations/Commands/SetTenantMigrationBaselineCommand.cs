using System.Management.Automation;
using TenantMigrations.Engine;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Commands;
using TenantMigrations.Engine.Migrations;

namespace TenantMigrations.Commands;

/// <summary>Writes a baseline journal row at -Version on tenants whose schema already exists, running nothing.</summary>
[Cmdlet(VerbsCommon.Set, "TenantMigrationBaseline", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.Base + "Set-TenantMigrationBaseline.md")]
[OutputType(typeof(TenantMigrationResult))]
public sealed class SetTenantMigrationBaselineCommand : ConnectingCmdletBase
{
    private const int DefaultLockTimeoutSec = 10;
    private const int DefaultThrottleLimit = 4;

    /// <summary>The version the existing schema stands for; versions up to it count as applied.</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string Version { get; set; } = "";

    [Parameter]
    [ValidateRange(1, 1024)]
    [PSDefaultValue(Value = DefaultThrottleLimit)]
    public int ThrottleLimit { get; set; } = DefaultThrottleLimit;

    /// <summary>Seconds to wait for a tenant's migration lock before reporting it locked.</summary>
    [Parameter]
    [ValidateRange(0, 86400)]
    [PSDefaultValue(Value = DefaultLockTimeoutSec)]
    public int LockTimeoutSec { get; set; } = DefaultLockTimeoutSec;

    private protected override FleetCommand CreateCommand(MigrationSet set)
    {
        if (!MigrationVersion.TryParse(Version, out var version))
        {
            throw CommandErrorIds.Terminating(ErrorIds.InvalidMigration, $"-Version '{Version}' is not a version: use digits separated by dots, e.g. 1.2 or 20261121093000.", Version);
        }
        var options = new MigrateOptions { ThrottleLimit = ThrottleLimit, LockTimeout = TimeSpan.FromSeconds(LockTimeoutSec), Limits = Limits, BaselineAt = version };
        return new TenantMigrationCommand(set, options);
    }

    private protected override void Run(FleetCommand fleetCommand) => ((TenantMigrationCommand)fleetCommand).Run(CommandHost);
}

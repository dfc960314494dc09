using System.Management.Automation;
using TenantMigrations.Engine;
using TenantMigrations.Engine.Commands;
using TenantMigrations.Engine.Migrations;

namespace TenantMigrations.Commands;

[Cmdlet(VerbsCommon.Get, "TenantMigrationHistory", HelpUri = HelpLinks.Base + "Get-TenantMigrationHistory.md")]
[OutputType(typeof(TenantMigrationHistoryEntry))]
public sealed class GetTenantMigrationHistoryCommand : ConnectingCmdletBase
{
    /// <summary>Only the rows of this version.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Version { get; set; }

    /// <summary>Only the rows in this state.</summary>
    [Parameter]
    public JournalState? State { get; set; }

    /// <summary>Only the rows written by this run.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? RunId { get; set; }

    /// <summary>Only the rows started at or after this time.</summary>
    [Parameter]
    public DateTime? Since { get; set; }

    private protected override FleetCommand CreateCommand(MigrationSet set)
    {
        var version = Version is null ? null : MigrationVersion.TryParse(Version, out var parsed)
            ? parsed.ToString()
            : throw CommandErrorIds.Terminating(ErrorIds.InvalidMigration, $"-Version '{Version}' is not a version: use digits separated by dots, e.g. 1, 1.2 or 20261121093000.", Version);
        return new MigrationHistoryCommand(set, new HistoryFilter(version, State, RunId, Since), Limits);
    }

    private protected override void Run(FleetCommand fleetCommand) => ((MigrationHistoryCommand)fleetCommand).Run(CommandHost);
}

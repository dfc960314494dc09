using System.Management.Automation;
using TenantMigrations.Engine.Commands;

namespace TenantMigrations.Commands;

[Cmdlet(VerbsCommon.New, "TenantMigration", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, HelpUri = HelpLinks.Base + "New-TenantMigration.md")]
[OutputType(typeof(FileInfo))]
public sealed class NewTenantMigrationCommand : PSCmdlet
{
    /// <summary>What the migration does, in words; it becomes the file name's slug.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [Alias("Description")]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    /// <summary>The migrations folder.</summary>
    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>Creates one variant per engine (V..__name.postgres.sql) instead of one plain file.</summary>
    [Parameter]
    public DatabaseEngine[]? Engine { get; set; }

    /// <summary>Also creates the matching U..__name.sql undo script.</summary>
    [Parameter]
    public SwitchParameter WithUndo { get; set; }

    /// <summary>Creates a typed migration (.json): operations rendered to each engine's SQL.</summary>
    [Parameter]
    public SwitchParameter Typed { get; set; }

    protected override void EndProcessing()
    {
        var currentFolder = SessionState.Path.CurrentFileSystemLocation.ProviderPath;
        var folder = MigrationFolders.Resolve(Path is null ? null : GetUnresolvedProviderPathFromPSPath(Path), currentFolder);
        if (!ShouldProcess(folder, $"Create migration '{MigrationScaffolder.Slug(Name!)}'")) return;
        try
        {
            var files = MigrationScaffolder.Create(folder, Name!, Engine ?? [], WithUndo, DateTime.UtcNow, Typed);
            // What Get-Item returns (PSPath, PSParentPath, Mode...), so the default file views have every column.
            WriteObject(InvokeProvider.Item.Get([.. files], force: false, literalPath: true), enumerateCollection: true);
        }
        catch (CommandTerminatingException ex)
        {
            ThrowTerminatingError(CmdletHost.ToErrorRecord(ex.Error));
        }
        catch (ArgumentException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "InvalidMigrationName", ErrorCategory.InvalidArgument, Name));
        }
    }
}

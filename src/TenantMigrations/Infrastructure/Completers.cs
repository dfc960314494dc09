using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;
using TenantMigrations.Engine.Hosting;

namespace TenantMigrations.Commands;

/// <summary>Completes -TargetVersion with the versions in the migrations folder (-Path, or the default folder).</summary>
public sealed class MigrationVersionCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var currentFolder = CompletionContext.CurrentFolder();
        var folder = MigrationFolders.Resolve(fakeBoundParameters["Path"] as string, currentFolder);
        return Completions.Versions(folder, wordToComplete ?? "")
            .Select(v => new CompletionResult(v.Version, v.Version, CompletionResultType.ParameterValue, $"{v.Version} {v.Description}"))
            .ToList();
    }
}

/// <summary>Completes -Name with the tenant names of -Path or -SqlitePath (or the tenants file in the current folder).</summary>
public sealed class TenantNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var names = Completions.TenantNames(fakeBoundParameters["Path"] as string, fakeBoundParameters["SqlitePath"] as string, CompletionContext.CurrentFolder(), wordToComplete ?? "");
        return names.Select(n => new CompletionResult(Quote(n), n, CompletionResultType.ParameterValue, n)).ToList();
    }

    private static string Quote(string name) => name.IndexOfAny([' ', '\'', '"', '$', '`', '(', ')', ';', ',', '{', '}', '@', '#', '&']) >= 0 ? $"'{name.Replace("'", "''")}'" : name;
}

internal static class CompletionContext
{
    /// <summary>The session's file system location; the process folder when no runspace answers.</summary>
    public static string CurrentFolder()
    {
        try
        {
            var location = Runspace.DefaultRunspace?.SessionStateProxy?.Path?.CurrentFileSystemLocation?.ProviderPath;
            if (!string.IsNullOrEmpty(location)) return location;
        }
        catch (Exception ex) when (ex is PSInvalidOperationException or InvalidRunspaceStateException or NotSupportedException)
        {
            // The runspace is busy running the completion itself: fall back to the process folder.
        }
        return Environment.CurrentDirectory;
    }
}

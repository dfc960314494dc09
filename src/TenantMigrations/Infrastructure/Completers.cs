using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using TenantMigrations.Engine.Commands;

namespace TenantMigrations.Commands;

/// <summary>Completes -TargetVersion with the versions in the migrations folder (-Path, or the default folder).</summary>
public sealed class MigrationVersionCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var session = CompletionSession.TryOpen();
        if (session is null) return [];
        var path = session.ProviderPath(CompletionSession.Bound(fakeBoundParameters, "Path"));
        if (path is null && CompletionSession.Bound(fakeBoundParameters, "Path") is not null) return [];
        var folder = MigrationFolders.Resolve(path, session.CurrentFolder);
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
        var session = CompletionSession.TryOpen();
        if (session is null) return [];
        var tenantsFile = CompletionSession.Bound(fakeBoundParameters, "Path");
        var sqlitePath = CompletionSession.Bound(fakeBoundParameters, "SqlitePath");
        IReadOnlyList<string>? sqliteFiles = null;
        if (sqlitePath is not null)
        {
            sqliteFiles = session.Files(sqlitePath);
            if (sqliteFiles is null) return [];
        }
        var resolvedFile = tenantsFile is null ? null : session.ProviderPath(tenantsFile);
        if (tenantsFile is not null && resolvedFile is null) return [];
        var names = Completions.TenantNames(resolvedFile, sqliteFiles, session.CurrentFolder, wordToComplete ?? "");
        return names.Select(n => new CompletionResult(Quote(n), n, CompletionResultType.ParameterValue, n)).ToList();
    }

    private static string Quote(string name) => name.IndexOfAny([' ', '\'', '"', '$', '`', '(', ')', ';', ',', '{', '}', '@', '#', '&']) >= 0 ? $"'{name.Replace("'", "''")}'" : name;
}

/// <summary>
/// The session a completion runs in, reached through a script block: completers get no cmdlet, and the runspace's
/// SessionStateProxy refuses calls while the completion pipeline runs. Paths go through the provider, as the cmdlets
/// resolve them, so relative paths and PSDrives mean the same in completion as when the command runs.
/// </summary>
internal sealed class CompletionSession(SessionState sessionState)
{
    public string CurrentFolder { get; } = sessionState.Path.CurrentFileSystemLocation.ProviderPath;

    public static CompletionSession? TryOpen()
    {
        try
        {
            var state = ScriptBlock.Create("$ExecutionContext.SessionState").Invoke().Select(o => o?.BaseObject).OfType<SessionState>().FirstOrDefault();
            return state is null ? null : new CompletionSession(state);
        }
        catch (Exception ex) when (ex is RuntimeException or InvalidOperationException or NotSupportedException)
        {
            return null;
        }
    }

    public static string? Bound(IDictionary fakeBoundParameters, string name)
    {
        var value = fakeBoundParameters.Contains(name) ? fakeBoundParameters[name] : null;
        return (value is PSObject wrapped ? wrapped.BaseObject : value) as string;
    }

    /// <summary>A file system path for what the user typed; null when it is not one.</summary>
    public string? ProviderPath(string? path)
    {
        if (string.IsNullOrWhiteSpace(path)) return null;
        try
        {
            var resolved = sessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out var provider, out _);
            return provider.Name == "FileSystem" ? resolved : null;
        }
        catch (Exception ex) when (ex is RuntimeException or ArgumentException or NotSupportedException or IOException)
        {
            return null;
        }
    }

    /// <summary>The files a path with wildcards matches, one folder level, as Get-Item would list them.</summary>
    public IReadOnlyList<string>? Files(string pattern)
    {
        try
        {
            var paths = sessionState.Path.GetResolvedProviderPathFromPSPath(pattern, out var provider);
            return provider.Name == "FileSystem" ? paths.Where(File.Exists).ToList() : null;
        }
        catch (Exception ex) when (ex is RuntimeException or ArgumentException or NotSupportedException or IOException)
        {
            return null;
        }
    }
}

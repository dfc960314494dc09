using System.Management.Automation;
using TenantMigrations.Engine;
using TenantMigrations.Engine.Commands;
using TenantMigrations.Engine.Tenants;

namespace TenantMigrations.Commands;

[Cmdlet(VerbsCommon.Get, "Tenant", DefaultParameterSetName = FileSet, HelpUri = HelpLinks.Base + "Get-Tenant.md")]
[OutputType(typeof(Tenant))]
public sealed class GetTenantCommand : PSCmdlet, IDisposable
{
    private const string FileSet = "Path";
    private const string SqliteSet = "SqlitePath";
    private const string SchemaSet = "Schema";
    private const string CatalogSet = "Catalog";
    private const string DatabaseSet = "Database";

    // Never disposed on purpose: StopProcessing may cancel it at any moment.
    private readonly CancellationTokenSource cancellation = new();

    /// <summary>A tenants file (.json or .csv); tenants.json or tenants.csv in the current folder when omitted.</summary>
    [Parameter(ParameterSetName = FileSet, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>A glob of SQLite files, one tenant per file, such as ./data/*.db.</summary>
    [Parameter(ParameterSetName = SqliteSet, Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string? SqlitePath { get; set; }

    /// <summary>The server to discover tenants on: PostgreSQL for -SchemaLike; the -Engine's server for -DatabaseLike.</summary>
    [Parameter(ParameterSetName = SchemaSet, Mandatory = true)]
    [Parameter(ParameterSetName = DatabaseSet, Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string? ConnectionString { get; set; }

    /// <summary>A LIKE pattern for the tenant databases, such as tenant_%: one tenant per database, with the same credentials.</summary>
    [Parameter(ParameterSetName = DatabaseSet, Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string? DatabaseLike { get; set; }

    /// <summary>The engine of the -DatabaseLike server: Postgres or MySql.</summary>
    [Parameter(ParameterSetName = DatabaseSet)]
    [ValidateSet("Postgres", "MySql")]
    public DatabaseEngine Engine { get; set; } = DatabaseEngine.Postgres;

    /// <summary>A LIKE pattern for the tenant schemas, such as tenant_%.</summary>
    [Parameter(ParameterSetName = SchemaSet, Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string? SchemaLike { get; set; }

    [Parameter(ParameterSetName = CatalogSet, Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string? CatalogConnectionString { get; set; }

    /// <summary>A query returning name, engine, connectionString and optionally schema, tags and other properties.</summary>
    [Parameter(ParameterSetName = CatalogSet, Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string? Query { get; set; }

    [Parameter(ParameterSetName = CatalogSet)]
    public DatabaseEngine CatalogEngine { get; set; } = DatabaseEngine.Postgres;

    /// <summary>A -Query column holding each tenant's password, AES-256-CBC encrypted (base64 of a 16-byte IV and the ciphertext).</summary>
    [Parameter(ParameterSetName = CatalogSet)]
    [ValidateNotNullOrEmpty]
    public string? PasswordColumn { get; set; }

    /// <summary>The environment variable that holds the key of -PasswordColumn (32 bytes as base64 or hex); the key itself is never a parameter.</summary>
    [Parameter(ParameterSetName = CatalogSet)]
    [ValidateNotNullOrEmpty]
    public string? PasswordKeyVariable { get; set; }

    [Parameter]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(TenantNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Tag { get; set; }

    /// <summary>Leaves out tenants whose name matches one of these wildcards or that carry one of them as a tag.</summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Exclude { get; set; }

    /// <summary>User and password merged into the connection strings of server tenants (and of the discovery connection).</summary>
    [Parameter]
    [ValidateNotNull]
    public PSCredential? Credential { get; set; }

    protected override void ProcessRecord()
    {
        var currentFolder = SessionState.Path.CurrentFileSystemLocation.ProviderPath;
        IReadOnlyList<string> sqliteFiles = [];
        if (ParameterSetName == SqliteSet && !TryResolveSqliteFiles(SqlitePath!, out sqliteFiles)) return;
        var query = new TenantQuery
        {
            Source = ParameterSetName switch
            {
                SqliteSet => TenantSourceKind.SqliteFiles,
                SchemaSet => TenantSourceKind.PostgresSchemas,
                CatalogSet => TenantSourceKind.CatalogQuery,
                DatabaseSet => Engine == DatabaseEngine.MySql ? TenantSourceKind.MySqlDatabases : TenantSourceKind.PostgresDatabases,
                _ => TenantSourceKind.File,
            },
            Location = ParameterSetName switch
            {
                SqliteSet => SqlitePath!,
                SchemaSet or DatabaseSet => ConnectionString!,
                CatalogSet => CatalogConnectionString!,
                _ => Path is null ? DefaultTenantsFile(currentFolder) : GetUnresolvedProviderPathFromPSPath(Path),
            },
            SqliteFiles = sqliteFiles,
            SchemaLike = SchemaLike,
            DatabaseLike = DatabaseLike,
            CatalogEngine = CatalogEngine,
            Query = Query,
            Names = Name ?? [],
            Tags = Tag ?? [],
            Exclude = Exclude ?? [],
            PasswordColumn = PasswordColumn,
            PasswordKeyVariable = PasswordKeyVariable,
            UserName = Credential?.UserName,
            Password = Credential?.GetNetworkCredential().Password,
        };
        IReadOnlyList<Tenant> tenants;
        try
        {
            tenants = query.RunAsync(currentFolder, cancellation.Token).GetAwaiter().GetResult();
        }
        catch (TenantSourceException ex)
        {
            var errorId = ex is TenantSourceUnreachableException ? CommandErrorIds.TenantSourceUnreachable : CommandErrorIds.InvalidTenantSource;
            ThrowTerminatingError(CmdletHost.ToErrorRecord(CommandErrorIds.Error(errorId, ex.Message, query.Source == TenantSourceKind.File ? query.Location : null, ex)));
            return;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            return;
        }
        WriteNoMatchErrors(tenants);
        foreach (var tenant in tenants.Where(t => t.CredentialProblem is not null)) WriteWarning($"Tenant '{tenant.Name}': {tenant.CredentialProblem}");
        WriteObject(tenants, enumerateCollection: true);
    }

    protected override void StopProcessing() => cancellation.Cancel();

    /// <summary>PowerShell disposes a cmdlet that is IDisposable when its pipeline ends.</summary>
    public void Dispose() => cancellation.Dispose();

    /// <summary>
    /// -SqlitePath as the built-in cmdlets resolve paths: relative to the PowerShell location, through PSDrives, with
    /// PowerShell wildcards (t0[1-6].db). A pattern that matches nothing is a warning; a plain path that does not exist
    /// is a SqlitePathNotFound error, like Get-Item's.
    /// </summary>
    private bool TryResolveSqliteFiles(string pattern, out IReadOnlyList<string> files)
    {
        files = [];
        ProviderInfo provider;
        System.Collections.ObjectModel.Collection<string> paths;
        try
        {
            paths = GetResolvedProviderPathFromPSPath(pattern, out provider);
        }
        catch (Exception ex) when (ex is ItemNotFoundException or System.Management.Automation.DriveNotFoundException or ProviderNotFoundException)
        {
            if (WildcardPattern.ContainsWildcardCharacters(pattern))
            {
                WriteWarning($"No SQLite file matches '{pattern}'.");
                return true;
            }
            WriteError(CmdletHost.ToErrorRecord(CommandErrorIds.Error(CommandErrorIds.SqlitePathNotFound, $"No SQLite file at '{pattern}': {ex.Message}", pattern, ex)));
            return false;
        }
        if (provider.Name != "FileSystem")
        {
            WriteError(CmdletHost.ToErrorRecord(CommandErrorIds.Error(CommandErrorIds.SqlitePathNotFound, $"'{pattern}' is a {provider.Name} path; -SqlitePath takes files.", pattern)));
            return false;
        }
        files = paths.Where(File.Exists).ToList();
        if (files.Count == 0) WriteWarning($"No SQLite file matches '{pattern}'.");
        return true;
    }

    private static string DefaultTenantsFile(string currentFolder)
    {
        var csv = System.IO.Path.Combine(currentFolder, "tenants.csv");
        var json = System.IO.Path.Combine(currentFolder, "tenants.json");
        return !File.Exists(json) && File.Exists(csv) ? csv : json;
    }

    /// <summary>Like Get-Process -Name: a name without wildcards that matches nothing is an error.</summary>
    private void WriteNoMatchErrors(IReadOnlyList<Tenant> tenants)
    {
        foreach (var name in (Name ?? []).Where(n => !Wildcard.HasWildcards(n)))
        {
            if (tenants.Any(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase))) continue;
            var message = $"No tenant named '{name}' was found.";
            WriteError(CmdletHost.ToErrorRecord(CommandErrorIds.Error(CommandErrorIds.TenantNotFound, message, name, new ItemNotFoundException(message))));
        }
    }
}

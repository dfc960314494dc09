using System.CommandLine;
using System.Text.RegularExpressions;
using TenantMigrations.HelpGenerator;

namespace TenantMigrations.Cli.Tests;

/// <summary>
/// Each CLI verb offers the options of the cmdlet that runs the same engine command, in kebab-case, except for the
/// differences listed here one by one: a new option on one front only fails until the other front gets it too, or it
/// is listed with the reason.
/// </summary>
public sealed partial class CliCmdletParityTests
{
    public static TheoryData<string, string> Verbs => new()
    {
        { "status", "Get-TenantMigrationStatus" },
        { "migrate", "Invoke-TenantMigration" },
        { "undo", "Undo-TenantMigration" },
        { "baseline", "Set-TenantMigrationBaseline" },
        { "export", "Export-TenantMigrationSql" },
        { "validate", "Test-TenantMigration" },
        { "repair", "Repair-TenantMigration" },
        { "history", "Get-TenantMigrationHistory" },
        { "new", "New-TenantMigration" },
        { "runs", "Get-TenantMigrationRun" },
        { "drift", "Test-TenantSchema" },
        { "replay", "Copy-TenantMigrationHistory" },
        { "provision", "New-Tenant" },
    };

    /// <summary>Parameters whose CLI name is not their kebab-case.</summary>
    private static readonly Dictionary<string, string> Renamed = new(StringComparer.Ordinal)
    {
        ["Path"] = "--migrations",
        ["ThrottleLimit"] = "--throttle",
        ["TargetVersion"] = "--target",
        ["OutputPath"] = "--output",
        ["WithUndo"] = "--undo",
    };

    /// <summary>Renames of one verb only: -RunId of undo and history is the run to undo or show, --run in the CLI, whose --run-id joins a shared run.</summary>
    private static readonly Dictionary<(string Verb, string Parameter), string> RenamedIn = new()
    {
        [("undo", "RunId")] = "--run",
        [("history", "RunId")] = "--run",
        [("drift", "SuggestionPath")] = "--suggest-dir",
        [("provision", "ConnectionString")] = "--connection",
    };

    private static readonly string[] CliTenantSources = ["--tenants", "--sqlite", "--pg", "--schema-like", "--mysql", "--database-like", "--catalog", "--query", "--catalog-engine", "--password-column", "--password-key-env", "--name", "--tag", "--exclude"];

    /// <summary>
    /// The allowed differences per verb: "-Name" is a cmdlet parameter without a CLI option, "--name" a CLI option
    /// without a cmdlet parameter. Every fleet verb: -Tenant is pipeline input, where the CLI reads tenant sources
    /// and filters them itself (--tenants, --sqlite, --pg, --schema-like, --mysql, --database-like, --catalog, --query, --catalog-engine, --password-column, --password-key-env, --name, --tag, --exclude); --json is the CLI's output format.
    /// </summary>
    private static readonly Dictionary<string, string[]> Differences = new(StringComparer.Ordinal)
    {
        ["status"] = ["-Summary"],
        // --verbose and --quiet are PowerShell's -Verbose and -ProgressAction; --dry-run is -WhatIf.
        // -Exclude is the rollout's exclusion; the CLI's --exclude, a tenant-source filter on every verb, does the same.
        ["migrate"] = ["--verbose", "--quiet", "--dry-run", "-Exclude"],
        // Undo-TenantMigration inherits -AllowOutOfOrder, which means nothing to an undo (the CLI no longer offers it);
        // the CLI's undo runs through migrate's machinery and takes its run-store and rollout options.
        // --group comes with migrate's options: an undo's scripts each run in their own transaction.
        ["undo"] = ["-AllowOutOfOrder", "--group", "--run-id", "--verbose", "--quiet", "--dry-run", "--ddl-lock-timeout", "--resume", "--lease", "--waves", "--wave", "--wave-delay", "--max-failures", "--max-failure-rate", "--max-duration", "--partition", "--partition-count", "--throttle-per-server", "--skip-locked"],
        ["baseline"] = ["--group", "--verbose", "--quiet", "--dry-run", "--ddl-lock-timeout", "--run-store", "--resume", "--run-id", "--lease", "--waves", "--wave", "--wave-delay", "--max-failures", "--max-failure-rate", "--max-duration", "--partition", "--partition-count", "--throttle-per-server", "--skip-locked"],
        ["export"] = [],
        // -Quiet returns one boolean for a script; the CLI's exit code is that answer.
        ["validate"] = ["-Quiet"],
        // The CLI never prompts: --yes is -Confirm:$false, --dry-run is -WhatIf.
        ["repair"] = ["--yes", "--dry-run"],
        // --tenant filters by exact name; the cmdlet takes the tenants it gets.
        ["history"] = ["--tenant"],
        // -Name is the CLI's description argument.
        ["new"] = ["-Name"],
        // -RunId is the CLI's run argument.
        ["runs"] = ["-RunId"],
        ["drift"] = [],
        // --dry-run is -WhatIf; -From and -To are tenant objects or names, the CLI's --from and --to names in its sources.
        ["replay"] = ["--dry-run"],
        // One named tenant: the CLI's --name is read with the tenant sources, --engine and --schema go with --connection;
        // -Credential is a PSCredential (the CLI takes the connection string's password), -Property and -Tag set the
        // new tenant's properties and tags, which a CLI tenant gets from a tenants file.
        ["provision"] = ["--dry-run", "-Credential", "-Name", "-Property", "-Tag"],
    };

    [Theory]
    [MemberData(nameof(Verbs))]
    public void Each_verb_has_its_cmdlets_options_in_kebab_case(string verb, string cmdletName)
    {
        var cmdlet = Cmdlets.Value.Single(c => c.Name == cmdletName);
        var command = CliApp.CreateRootCommand().Subcommands.Single(c => c.Name == verb);
        var fleet = cmdlet.Parameters.Any(p => p.Name == "Tenant");
        var readsSources = command.Options.Any(o => o.Name == "--tenants");

        var fromCmdlet = cmdlet.Parameters.Select(p => p.Name).Where(p => !(fleet && p == "Tenant")).ToDictionary(p => RenamedIn.GetValueOrDefault((verb, p)) ?? CliName(p), p => p);
        var fromCli = command.Options.Select(o => o.Name).Where(o => o is not ("--help" or "--json") && !(readsSources && CliTenantSources.Contains(o))).ToHashSet();

        var differences = fromCmdlet.Where(p => !fromCli.Contains(p.Key)).Select(p => "-" + p.Value)
            .Concat(fromCli.Where(o => !fromCmdlet.ContainsKey(o)))
            .Order(StringComparer.Ordinal);
        var actualText = string.Join(" ", differences);
        if (actualText != string.Join(" ", Differences[verb].Order(StringComparer.Ordinal))) Assert.Fail($"{verb}: the differences are now: {actualText}");
    }

    /// <summary>-LockTimeoutSec is --lock-timeout: the CLI's seconds options drop the unit from the name.</summary>
    private static string CliName(string parameter) =>
        Renamed.TryGetValue(parameter, out var renamed) ? renamed
        : "--" + WordStart().Replace(Regex.Replace(parameter, "Sec$", ""), "-$1").ToLowerInvariant();

    [GeneratedRegex("(?<=[a-z0-9])([A-Z])")]
    private static partial Regex WordStart();

    private static readonly Lazy<IReadOnlyList<CmdletInfo>> Cmdlets = new(() => CmdletMetadataReader.Read(ModuleAssembly(), [PowerShellReference()]));

    private static string ModuleAssembly()
    {
        for (var folder = AppContext.BaseDirectory; folder is not null; folder = Path.GetDirectoryName(folder))
        {
            if (File.Exists(Path.Combine(folder, "TenantMigrations.sln"))) return Path.Combine(folder, "out", "TenantMigrations", "TenantMigrations.dll");
        }
        throw new InvalidOperationException("TenantMigrations.sln not found above " + AppContext.BaseDirectory);
    }

    private static string PowerShellReference()
    {
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        return Path.Combine(packages, "powershellstandard.library", "5.1.0-preview-06", "lib", "netstandard2.0", "System.Management.Automation.dll");
    }
}

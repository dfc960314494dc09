using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Commands;
using TenantMigrations.Engine.Planning;
using TenantMigrations.Module.Tests.Support;
using TenantMigrations.TestSupport;

namespace TenantMigrations.Module.Tests;

/// <summary>The README's PowerShell quick start, through the cmdlets' logic, on a copy of samples/.</summary>
public sealed class SampleFleetTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task The_sample_fleet_migrates_then_reports_up_to_date()
    {
        CopySamples();
        var tenants = await new TenantQuery { Source = TenantSourceKind.File, Location = "samples/tenants.json" }.RunAsync(folder.Path);
        var set = MigrationFolders.Load("samples/migrations", folder.Path);
        // Created after the await: the host checks that every write happens on the thread that created it.
        var host = new FakeHost();
        var migrate = new TenantMigrationCommand(set, new MigrateOptions { CreateMissing = true, ThrottleLimit = 8 });
        foreach (var tenant in tenants) migrate.Add(tenant, host);

        var summary = migrate.Run(host);

        Assert.Empty(host.Errors);
        Assert.Equal(tenants.Count, summary.Succeeded);
        var status = new TenantStatusCommand(set, new PlanOptions(), 4);
        foreach (var tenant in tenants) status.Add(tenant, host);
        Assert.All(status.Run(host), s => Assert.Equal(TenantState.UpToDate, s.State));
    }

    [Fact]
    public void The_sample_migrations_run_for_tenants_without_properties_thanks_to_the_settings_defaults()
    {
        CopySamples();
        var set = MigrationFolders.Load("samples/migrations", folder.Path);
        var files = new[] { folder.Combine("discovered", "alpha.db"), folder.Combine("discovered", "beta.db") };
        Directory.CreateDirectory(folder.Combine("discovered"));
        foreach (var file in files) File.WriteAllBytes(file, []);
        var host = new FakeHost();
        var migrate = new TenantMigrationCommand(set, new MigrateOptions { CreateMissing = true });
        foreach (var tenant in SqliteFileTenants.From(files, "discovered/*.db")) migrate.Add(tenant, host);

        var summary = migrate.Run(host);

        Assert.Empty(host.Errors);
        Assert.Equal(2, summary.Succeeded);
    }

    [Fact]
    public async Task The_sample_csv_tenants_migrate_with_their_plan_column()
    {
        CopySamples();
        var tenants = await new TenantQuery { Source = TenantSourceKind.File, Location = "samples/tenants.csv" }.RunAsync(folder.Path);
        var set = MigrationFolders.Load("samples/migrations", folder.Path);
        var host = new FakeHost();
        var migrate = new TenantMigrationCommand(set, new MigrateOptions { CreateMissing = true });
        foreach (var tenant in tenants) migrate.Add(tenant, host);

        var summary = migrate.Run(host);

        Assert.Empty(host.Errors);
        Assert.Equal(3, summary.Succeeded);
        Assert.All(tenants, t => Assert.StartsWith(folder.Combine("samples", "data"), new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(t.GetConnectionString()).DataSource, StringComparison.Ordinal));
    }

    private void CopySamples() => CopySamples(folder);

    internal static void CopySamples(TempFolder folder)
    {
        var samples = Path.Combine(ModuleLayout.RepoRoot, "samples");
        foreach (var file in Directory.EnumerateFiles(samples, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(samples, file);
            if (relative.StartsWith("data", StringComparison.Ordinal)) continue;
            var target = folder.Combine("samples", relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}

using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Hosting;
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
        var migrate = new TenantMigrationCommand(set, new MigrateOptions { ThrottleLimit = 8 });
        foreach (var tenant in tenants) migrate.Add(tenant, host);

        var summary = migrate.Run(host);

        Assert.Empty(host.Errors);
        Assert.Equal(tenants.Count, summary.Succeeded);
        var status = new TenantStatusCommand(set, new PlanOptions(), 4);
        foreach (var tenant in tenants) status.Add(tenant, host);
        Assert.All(status.Run(host), s => Assert.Equal(TenantState.UpToDate, s.State));
    }

    private void CopySamples()
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

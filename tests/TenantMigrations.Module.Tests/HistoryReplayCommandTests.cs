using TenantMigrations.Engine.Commands;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Replay;
using TenantMigrations.Module.Tests.Support;

namespace TenantMigrations.Module.Tests;

/// <summary>The logic behind Export-TenantMigrationHistory and Copy-TenantMigrationHistory, against real SQLite files.</summary>
public sealed class HistoryReplayCommandTests : IDisposable
{
    private readonly SqliteFleet fleet = new();

    public void Dispose() => fleet.Dispose();

    private void Migrate(string name)
    {
        var host = new FakeHost();
        var command = new TenantMigrationCommand(fleet.Load(), new MigrateOptions { CreateMissing = true });
        command.Add(fleet.Tenant(name), host);
        command.Run(host);
        Assert.Empty(host.Errors);
    }

    [Fact]
    public void A_plain_name_is_found_in_the_tenants_file_and_an_unknown_one_names_the_folder()
    {
        fleet.Folder.Write("tenants.json", """[{"name": "acme", "engine": "sqlite", "connectionString": "Data Source=data/acme.db"}]""");

        var acme = TenantNames.Find("ACME", fleet.Folder.Path, "-From");
        var unknown = Assert.Throws<CommandTerminatingException>(() => TenantNames.Find("initech", fleet.Folder.Path, "-To"));

        Assert.Equal("acme", acme.Name);
        Assert.Equal(CommandErrorIds.TenantNotFound, unknown.Error.ErrorId);
        Assert.Contains("-To 'initech'", unknown.Error.Message, StringComparison.Ordinal);
        Assert.Contains(fleet.Folder.Path, unknown.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Export_takes_one_tenant_and_names_the_others_when_given_more()
    {
        fleet.WriteStandardMigrations();
        Migrate("a");
        Migrate("b");
        using var export = new HistoryExportCommand(fleet.Load(), fleet.Folder.Combine("out"), force: false);
        var host = new FakeHost();
        export.Add(fleet.Tenant("a"), host);
        export.Add(fleet.Tenant("b"), host);

        var refused = Assert.Throws<CommandTerminatingException>(() => export.Run(host));

        Assert.Equal(ReplayErrorIds.InvalidReplayTenants, refused.Error.ErrorId);
        Assert.Contains("a, b", refused.Error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(fleet.Folder.Combine("out")));
    }

    [Fact]
    public void Copy_asks_once_for_the_target_and_a_declined_copy_changes_nothing()
    {
        fleet.WriteStandardMigrations();
        Migrate("acme");
        Directory.CreateDirectory(Path.GetDirectoryName(fleet.DatabasePath("sandbox"))!);
        File.WriteAllBytes(fleet.DatabasePath("sandbox"), []);
        var host = new FakeHost { Approve = (_, _) => false };

        using (var copy = new HistoryReplayCommand(fleet.Load(), fleet.Tenant("acme"), fleet.Tenant("sandbox"), new MigrateOptions()))
        {
            copy.Run(host);
        }

        var (target, action) = Assert.Single(host.Asked);
        Assert.Contains("sandbox", target, StringComparison.Ordinal);
        Assert.Contains("1", action, StringComparison.Ordinal);
        Assert.Empty(host.ObjectsOf<TenantMigrationResult>());
        Assert.False(fleet.TableExists("sandbox", "customers"));
    }

    [Fact]
    public void Copy_refuses_the_same_tenant_as_source_and_target()
    {
        fleet.WriteStandardMigrations();
        Migrate("acme");

        using var copy = new HistoryReplayCommand(fleet.Load(), fleet.Tenant("acme"), fleet.Tenant("acme"), new MigrateOptions());
        var refused = Assert.Throws<CommandTerminatingException>(() => copy.Run(new FakeHost()));

        Assert.Equal(ReplayErrorIds.InvalidReplayTenants, refused.Error.ErrorId);
        Assert.Contains("same tenant", refused.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Copy_takes_a_target_that_carries_the_source_name_on_another_file()
    {
        fleet.WriteStandardMigrations();
        Migrate("acme");
        var stagingPath = fleet.Folder.Combine("staging", "acme.db");
        Directory.CreateDirectory(Path.GetDirectoryName(stagingPath)!);
        File.WriteAllBytes(stagingPath, []);
        var staging = new Tenant { Name = "acme", Engine = DatabaseEngine.Sqlite, ConnectionString = $"Data Source={stagingPath}" };
        var host = new FakeHost();

        using (var copy = new HistoryReplayCommand(fleet.Load(), fleet.Tenant("acme"), staging, new MigrateOptions()))
        {
            copy.Run(host);
        }

        Assert.Empty(host.Errors);
        Assert.True(Assert.Single(host.ObjectsOf<TenantMigrationResult>()).Succeeded);
        Assert.Equal(["1", "2"], host.ObjectsOf<TenantMigrationResult>().Single().Applied.Select(a => a.Version));
    }
}

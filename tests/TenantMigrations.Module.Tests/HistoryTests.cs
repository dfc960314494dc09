using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Commands;
using TenantMigrations.Module.Tests.Support;

namespace TenantMigrations.Module.Tests;

/// <summary>Get-TenantMigrationHistory's logic against real SQLite journals.</summary>
public sealed class HistoryTests : IDisposable
{
    private readonly SqliteFleet fleet = new();

    public void Dispose() => fleet.Dispose();

    private void Migrate(params string[] names)
    {
        var host = new FakeHost();
        var command = new TenantMigrationCommand(fleet.Load(), new MigrateOptions { CreateMissing = true });
        foreach (var name in names) command.Add(fleet.Tenant(name), host);
        command.Run(host);
    }

    private IReadOnlyList<TenantMigrationHistoryEntry> History(FakeHost host, HistoryFilter filter, params string[] names)
    {
        using var command = new MigrationHistoryCommand(fleet.Load(), filter);
        foreach (var name in names) command.Add(fleet.Tenant(name), host);
        return command.Run(host);
    }

    [Fact]
    public void Every_journal_row_comes_back_in_order_with_its_run_state_and_error()
    {
        fleet.WriteStandardMigrations();
        fleet.WriteMigration("V9__broken.sql", "INSERT INTO nowhere VALUES (1);");
        Migrate("a", "b");
        var host = new FakeHost();

        var rows = History(host, new HistoryFilter(), "a", "b");

        Assert.Empty(host.Errors);
        Assert.Equal(rows, host.ObjectsOf<TenantMigrationHistoryEntry>());
        var a = rows.Where(r => r.TenantName == "a").ToList();
        Assert.Equal(fleet.Journal("a").Select(j => j.Version), a.Select(r => r.Version));
        Assert.Equal(a.Select(r => r.InstalledRank).Order(), a.Select(r => r.InstalledRank));
        var failed = Assert.Single(a, r => r.State == JournalState.Failed);
        Assert.Equal("9", failed.Version);
        Assert.Contains("nowhere", failed.Error, StringComparison.Ordinal);
        Assert.All(a, r => Assert.False(string.IsNullOrEmpty(r.RunId)));
        Assert.All(a.Where(r => r.State == JournalState.Succeeded), r => Assert.Null(r.Error));
        Assert.Equal(a.Count, rows.Count(r => r.TenantName == "b"));
    }

    [Fact]
    public void Filters_keep_only_the_matching_rows()
    {
        fleet.WriteStandardMigrations();
        fleet.WriteMigration("V9__broken.sql", "INSERT INTO nowhere VALUES (1);");
        Migrate("a");
        var all = History(new FakeHost(), new HistoryFilter(), "a");

        Assert.Equal(["9"], History(new FakeHost(), new HistoryFilter(State: JournalState.Failed), "a").Select(r => r.Version));
        Assert.Equal(["1"], History(new FakeHost(), new HistoryFilter(Version: "1"), "a").Select(r => r.Version));
        Assert.Equal(all.Count, History(new FakeHost(), new HistoryFilter(RunId: all[0].RunId), "a").Count);
        Assert.Empty(History(new FakeHost(), new HistoryFilter(RunId: "no-such-run"), "a"));
        Assert.Empty(History(new FakeHost(), new HistoryFilter(Since: DateTime.UtcNow.AddDays(1)), "a"));
        Assert.Equal(all.Count, History(new FakeHost(), new HistoryFilter(Since: DateTime.UtcNow.AddDays(-1)), "a").Count);
    }
}

using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Commands;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Module.Tests.Support;

namespace TenantMigrations.Module.Tests;

/// <summary>What Undo-TenantMigration and Set-TenantMigrationBaseline do through the command layer, on real SQLite files.</summary>
public sealed class UndoAndBaselineCommandTests : IDisposable
{
    private readonly SqliteFleet fleet = new();

    public UndoAndBaselineCommandTests()
    {
        fleet.WriteStandardMigrations();
        fleet.WriteMigration("U2__create_orders.sql", "DROP TABLE orders;");
    }

    public void Dispose() => fleet.Dispose();

    private FakeHost Run(MigrateOptions options, bool whatIf = false, params string[] names)
    {
        var host = new FakeHost { WhatIf = whatIf };
        var command = new TenantMigrationCommand(fleet.Load(), options);
        foreach (var name in names) command.Add(fleet.Tenant(name), host);
        command.Run(host);
        return host;
    }

    private static MigrateOptions UndoTo(string version) => new() { Undo = UndoRequest.ToTarget(MigrationVersion.Parse(version)) };

    [Fact]
    public void WhatIf_names_the_versions_to_undo_and_changes_nothing()
    {
        Run(new MigrateOptions { CreateMissing = true }, names: "a");

        var host = Run(UndoTo("1"), whatIf: true, "a");

        var (target, action) = Assert.Single(host.Asked);
        Assert.StartsWith("a (", target, StringComparison.Ordinal);
        Assert.Equal("Undo 1 migration(s): 2 (current version: 2)", action);
        Assert.Equal("2", Assert.Single(Assert.Single(host.ObjectsOf<TenantMigrationResult>()).Planned).Version);
        Assert.True(fleet.TableExists("a", "orders"));
        Assert.Equal(2, fleet.Journal("a").Count);
    }

    [Fact]
    public void Undo_asks_then_undoes_and_the_journal_has_the_undo_row()
    {
        Run(new MigrateOptions { CreateMissing = true }, names: "a");

        var host = Run(UndoTo("1"), names: "a");

        var result = Assert.Single(host.ObjectsOf<TenantMigrationResult>());
        Assert.Null(result.Error);
        Assert.Empty(host.Errors);
        Assert.Equal(("2", "1"), (result.VersionBefore, result.VersionAfter));
        Assert.False(fleet.TableExists("a", "orders"));
        Assert.Equal([("1", "succeeded"), ("2", "succeeded"), ("2", "succeeded")], fleet.Journal("a").Select(j => (j.Version, j.State)));
    }

    [Fact]
    public void A_baseline_of_a_tenant_with_history_is_that_tenants_error()
    {
        Run(new MigrateOptions { CreateMissing = true }, names: "a");
        fleet.Execute("b", "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL)");

        var host = Run(new MigrateOptions { CreateMissing = true, BaselineAt = MigrationVersion.Parse("1") }, names: ["a", "b"]);

        var error = Assert.Single(host.Errors);
        Assert.Equal("AlreadyMigrated", error.ErrorId.Split(',')[0]);
        Assert.Contains("'a'", error.Message);
        Assert.Equal([("1", "succeeded")], fleet.Journal("b").Select(j => (j.Version, j.State)));
    }
}

using TenantMigrations.Engine;
using TenantMigrations.Engine.Commands;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Module.Tests.Support;

namespace TenantMigrations.Module.Tests;

/// <summary>What New-Tenant and Invoke-TenantMigration -Create do through the command layer, on real SQLite files.</summary>
public sealed class ProvisionCommandTests : IDisposable
{
    private readonly SqliteFleet fleet = new();

    public ProvisionCommandTests() => fleet.WriteStandardMigrations();

    public void Dispose() => fleet.Dispose();

    private FakeHost Provision(string? template, bool whatIf = false, params string[] names)
    {
        var host = new FakeHost { WhatIf = whatIf };
        using var command = new TenantProvisionCommand(fleet.Load(), new MigrateOptions(), template);
        foreach (var name in names) command.Add(fleet.Tenant(name), host);
        command.Run(host);
        return host;
    }

    [Fact]
    public void New_Tenant_asks_once_per_tenant_creates_and_migrates_it()
    {
        var host = Provision(template: null, whatIf: false, "a", "b");

        Assert.Equal(["Create the tenant if it is missing, then apply the pending migrations"], host.Asked.Select(a => a.Action).Distinct());
        Assert.Equal(2, host.Asked.Count);
        Assert.Empty(host.Errors);
        Assert.All(host.ObjectsOf<TenantMigrationResult>(), r => Assert.True(r.Created && r.Succeeded && r.Applied.Length == 2));
        Assert.True(fleet.TableExists("b", "orders"));
    }

    [Fact]
    public void WhatIf_creates_nothing_and_reports_the_plan()
    {
        var host = Provision(template: null, whatIf: true, "a");

        var planned = Assert.Single(host.ObjectsOf<TenantMigrationResult>());
        Assert.True(planned.DryRun);
        Assert.Equal(2, planned.Planned.Length);
        Assert.False(File.Exists(fleet.DatabasePath("a")));
    }

    [Fact]
    public void A_copy_from_a_template_is_said_in_the_question_and_the_result()
    {
        Assert.Empty(Provision(template: null, whatIf: false, "template").Errors);

        var host = Provision("template", whatIf: false, "a");

        Assert.Equal("Create the tenant from template 'template' if it is missing, then apply the pending migrations", Assert.Single(host.Asked).Action);
        var result = Assert.Single(host.ObjectsOf<TenantMigrationResult>());
        Assert.Equal(("template", true), (result.Template, result.Created));
        Assert.Equal(3, fleet.Journal("a").Count);
    }

    [Fact]
    public void Invoke_without_Create_writes_TenantNotFound_and_with_Create_migrates()
    {
        var missing = new FakeHost();
        var plain = new TenantMigrationCommand(fleet.Load(), new MigrateOptions());
        plain.Add(fleet.Tenant("a"), missing);
        plain.Run(missing);
        var created = new FakeHost();
        var create = new TenantMigrationCommand(fleet.Load(), new MigrateOptions { CreateMissing = true });
        create.Add(fleet.Tenant("a"), created);
        create.Run(created);

        Assert.Equal(ErrorIds.TenantNotFound, Assert.Single(missing.Errors).ErrorId);
        Assert.Empty(missing.Asked);
        Assert.Empty(created.Errors);
        Assert.True(Assert.Single(created.ObjectsOf<TenantMigrationResult>()).Created);
    }
}

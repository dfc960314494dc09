using TenantMigrations.Engine.Execution;
using TenantMigrations.TestSupport;
using static TenantMigrations.Engine.Tests.Provisioning.ProvisioningRuns;

namespace TenantMigrations.Engine.Tests.Provisioning;

/// <summary>Provisioning on a real MariaDB: databases are created on purpose only, and a template means replaying.</summary>
[Collection(MariaDbCollection.Name)]
public sealed class MySqlProvisioningTests(MariaDbFixture mariadb) : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    private Tenant Database(string name) => new() { Name = name, Engine = DatabaseEngine.MySql, ConnectionString = mariadb.Server.ConnectionStringFor(name) };

    private static string Unique(string prefix) => $"{prefix}_{Guid.NewGuid().ToString("N")[..8]}";

    [Fact]
    public async Task Migrate_reports_a_missing_database_as_TenantNotFound_and_provision_creates_it()
    {
        var migrations = WriteMigrations(folder, "migrations", 2);
        var tenant = Database(Unique("tenant_my"));

        var missing = await MigrateAsync(tenant, migrations);
        var (provisioned, _) = await ProvisionAsync([tenant], migrations);
        var (again, _) = await ProvisionAsync([tenant], migrations);

        Assert.Equal(TenantState.Invalid, missing.StateAfter);
        Assert.Equal(ErrorIds.TenantNotFound, missing.Error?.ErrorId);
        Assert.Equal($"tenant '{tenant.Name}': database '{tenant.Name}' not found; use New-Tenant or --create.", missing.Error?.Message);
        var created = provisioned.Single();
        Assert.True(created.Succeeded, created.Error?.Message);
        Assert.True(created.Created);
        Assert.Equal(["1", "2"], created.Applied.Select(a => a.Version));
        Assert.False(again.Single().Created);
        Assert.Equal(TenantState.UpToDate, again.Single().StateAfter);
        await mariadb.Server.DropDatabaseAsync(tenant.Name);
    }

    [Fact]
    public async Task A_template_on_MySQL_replays_the_migrations_with_a_warning()
    {
        var migrations = WriteMigrations(folder, "migrations", 3);
        var tenant = Database(Unique("tenant_my"));

        var (results, sink) = await ProvisionAsync([tenant], migrations, template: "tpl_anything");

        var result = results.Single();
        Assert.True(result.Succeeded, result.Error?.Message);
        Assert.True(result.Created);
        Assert.Null(result.Template);
        Assert.Equal(["1", "2", "3"], result.Applied.Select(a => a.Version));
        Assert.Contains(sink.Events.OfType<FleetLog>(), log => log.Level == FleetLogLevel.Warning && log.Message.Contains("replaying the migrations", StringComparison.Ordinal));
        await mariadb.Server.DropDatabaseAsync(tenant.Name);
    }
}

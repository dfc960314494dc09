using TenantMigrations.Engine.Dialects.MySql;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Planning;

namespace TenantMigrations.Engine.Tests;

/// <summary>On a real MariaDB server: a Locked tenant names the connection that holds its named lock.</summary>
[Collection(MariaDbCollection.Name)]
public sealed class MySqlRunnerVisibilityTests(MariaDbFixture mariadb) : IDisposable
{
    private readonly TestSupport.TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task A_locked_tenant_names_the_holding_connection_its_user_host_and_database()
    {
        folder.Write("migrations/V1__customers.sql", "CREATE TABLE customers (id INTEGER PRIMARY KEY);");
        var set = MigrationSet.Load(folder.Combine("migrations"));
        var tenants = new List<Tenant>();
        foreach (var _ in Enumerable.Range(0, 2))
        {
            var database = await mariadb.NewDatabaseAsync();
            tenants.Add(new Tenant { Name = database, Engine = DatabaseEngine.MySql, ConnectionString = mariadb.Server.ConnectionStringFor(database) });
        }
        await new FleetMigrator().MigrateAsync(tenants, set, new MigrateOptions { CreateMissing = true }, new RecordingSink());
        var dialect = new MySqlDialect();
        await using var holder = dialect.CreateConnection(tenants[0], forWriting: true);
        await holder.OpenAsync();
        await using var held = await dialect.TryLockAsync(holder, tenants[0], "tenant_migrations_history", TimeSpan.Zero, CancellationToken.None, runId: "run-7");
        Assert.NotNull(held);
        await using var id = holder.CreateCommand();
        id.CommandText = "SELECT CONNECTION_ID(), CURRENT_USER()";
        string connectionId, user;
        await using (var reader = await id.ExecuteReaderAsync())
        {
            Assert.True(await reader.ReadAsync());
            connectionId = Convert.ToString(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture)!;
            user = reader.GetString(1).Split('@')[0];
        }
        var expected = $"locked by connection {connectionId} of user '{user}' on host ";

        var status = await new FleetMigrator().GetStatusAsync(tenants, set, new PlanOptions());
        Assert.Equal(TenantState.Locked, status[0].State);
        Assert.Contains(expected, status[0].Message, StringComparison.Ordinal);
        Assert.Contains($"database {tenants[0].Name}", status[0].Message, StringComparison.Ordinal);
        Assert.Contains("MySQL does not tell the holder's program or run id", status[0].Message, StringComparison.Ordinal);
        Assert.Equal(TenantState.UpToDate, status[1].State);

        var sink = new RecordingSink();
        await new FleetMigrator().MigrateAsync([tenants[0]], set, new MigrateOptions { CreateMissing = true, LockTimeout = TimeSpan.FromSeconds(1) }, sink);
        var locked = sink.Results.Single();
        Assert.Equal((TenantState.Locked, ErrorIds.TenantLocked), (locked.StateAfter, locked.Error!.ErrorId));
        Assert.Contains(expected, locked.Error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(mariadb.Server.Password, sink.AllText, StringComparison.Ordinal);
    }
}

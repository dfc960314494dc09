using Npgsql;
using TenantMigrations.Engine.Dialects.Postgres;

namespace TenantMigrations.Engine.Tests;

/// <summary>The tool's own PostgreSQL connections read only built-in types, so a new tenant database costs no type-loading query.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresConnectionTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Tool_connections_skip_type_loading_and_still_read_journals_and_lock_holders()
    {
        var tenant = new Tenant { Name = "types", Engine = DatabaseEngine.Postgres, ConnectionString = await postgres.NewDatabaseAsync("typesdb") };
        var dialect = new PostgresDialect();

        await using var connection = (NpgsqlConnection)dialect.CreateConnection(tenant, forWriting: true);
#pragma warning disable CS0618 // the obsolete switch is what the tool sets
        Assert.Equal(ServerCompatibilityMode.NoTypeLoading, new NpgsqlConnectionStringBuilder(connection.ConnectionString).ServerCompatibilityMode);
#pragma warning restore CS0618
        await connection.OpenAsync();
        var (tenantLock, snapshot) = await dialect.OpenLockedSessionAsync(connection, tenant, "tenant_migrations_history", TimeSpan.FromSeconds(1), "run-types", [], CancellationToken.None);
        Assert.NotNull(tenantLock);
        Assert.False(snapshot.JournalExists);

        var read = await dialect.ReadJournalsAsync([tenant], "tenant_migrations_history", new(), CancellationToken.None);
        Assert.True(read[tenant].LockedByAnother);
        Assert.Contains("run-types", read[tenant].LockHolder);
        await tenantLock!.DisposeAsync();
    }
}

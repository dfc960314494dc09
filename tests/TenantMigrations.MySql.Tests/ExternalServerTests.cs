using TenantMigrations.TestSupport;

namespace TenantMigrations.MySql.Tests;

[Collection(MariaDbCollection.Name)]
public sealed class ExternalServerTests(MariaDbFixture fixture)
{
    [Fact]
    public async Task TM_TEST_MYSQL_reuses_an_existing_server_without_starting_one()
    {
        var previous = Environment.GetEnvironmentVariable(MariaDbServer.ExternalServerVariable);
        Environment.SetEnvironmentVariable(MariaDbServer.ExternalServerVariable, fixture.Server.AdminConnectionString);
        try
        {
            await using var external = await MariaDbServer.StartAsync();

            Assert.True(external.IsExternal);
            Assert.Equal(fixture.Server.Port, external.Port);
            Assert.Equal("root", external.AdminUser);
            await external.CreateDatabaseAsync("tm_external_check");
            await using var connection = new MySqlConnection(external.ConnectionStringFor("tm_external_check"));
            await connection.OpenAsync();
            Assert.Equal("tm_external_check", connection.Scalar("SELECT DATABASE()"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(MariaDbServer.ExternalServerVariable, previous);
        }

        // Disposing the external handle must not have stopped the shared server.
        await using var still = await fixture.OpenConnectionAsync();
        Assert.True(await still.PingAsync());
    }
}

using System.Data;
using TenantMigrations.TestSupport;

namespace TenantMigrations.MySql.Tests;

[Collection(MariaDbCollection.Name)]
public sealed class ConnectionTests(MariaDbFixture fixture)
{
    MySqlConnectionStringBuilder Builder(Action<MySqlConnectionStringBuilder>? configure = null)
    {
        var builder = new MySqlConnectionStringBuilder(fixture.ConnectionString);
        configure?.Invoke(builder);
        return builder;
    }

    [Fact]
    public async Task Native_password_login_reports_server_details()
    {
        await using var connection = await fixture.OpenConnectionAsync(Builder(b => b.SslMode = MySqlSslMode.None).ConnectionString);

        Assert.Equal(ConnectionState.Open, connection.State);
        Assert.Contains("MariaDB", connection.ServerVersion);
        Assert.DoesNotContain("5.5.5-", connection.ServerVersion);
        Assert.Equal(MariaDbFixture.DatabaseName, connection.Database);
        Assert.Equal("127.0.0.1", connection.DataSource);
        Assert.False(connection.IsEncrypted);
        Assert.Equal(Convert.ToInt64(connection.Scalar("SELECT CONNECTION_ID()")), connection.ServerThreadId);
        Assert.Equal("mysql_native_password", connection.Scalar("SELECT plugin FROM mysql.user WHERE user = 'tm_test'"));
        Assert.Equal("tm_mysql_tests", connection.Scalar("SELECT DATABASE()"));
        Assert.Equal("utf8mb4", connection.Scalar("SELECT @@character_set_client"));
    }

    [Fact]
    public void Sync_open_works_and_close_sends_quit()
    {
        var connection = fixture.OpenConnection();
        var threadId = connection.ServerThreadId;
        connection.Dispose();
        Assert.Equal(ConnectionState.Closed, connection.State);

        using var observer = fixture.OpenConnection();
        var stillThere = true;
        for (var attempt = 0; attempt < 50 && stillThere; attempt++)
        {
            stillThere = Convert.ToInt64(observer.Scalar("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = @id", ("id", threadId))) > 0;
            if (stillThere) Thread.Sleep(20);
        }
        Assert.False(stillThere);
    }

    [Fact]
    public async Task Tls_with_SslMode_Required_encrypts_the_session()
    {
        Assert.NotNull(fixture.Server.CaCertificatePath);
        await using var connection = await fixture.OpenConnectionAsync(Builder(b => b.SslMode = MySqlSslMode.Required).ConnectionString);

        Assert.True(connection.IsEncrypted);
        await using var command = connection.CreateCommand();
        command.CommandText = "SHOW SESSION STATUS LIKE 'Ssl_cipher'";
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.False(string.IsNullOrEmpty(reader.GetString(1)));
    }

    [Fact]
    public void Preferred_is_the_default_and_uses_tls_when_offered()
    {
        using var connection = fixture.OpenConnection();
        Assert.True(connection.IsEncrypted);
    }

    [Theory]
    [InlineData(MySqlSslMode.VerifyCA)]
    [InlineData(MySqlSslMode.VerifyFull)]
    public void Tls_verifies_the_server_certificate_against_the_fixture_CA(MySqlSslMode mode)
    {
        using var connection = fixture.OpenConnection(Builder(b =>
        {
            b.SslMode = mode;
            b.SslCa = fixture.Server.CaCertificatePath!;
        }).ConnectionString);

        Assert.True(connection.IsEncrypted);
        Assert.Equal(1L, Convert.ToInt64(connection.Scalar("SELECT 1")));
    }

    [Fact]
    public void VerifyCA_rejects_a_server_certificate_from_another_CA()
    {
        var wrongCa = TestCertificates.WriteUnrelatedCaCertificate(Path.Combine(Path.GetTempPath(), $"tm-wrong-ca-{Guid.NewGuid():N}.pem"));
        try
        {
            using var connection = new MySqlConnection(Builder(b =>
            {
                b.SslMode = MySqlSslMode.VerifyCA;
                b.SslCa = wrongCa;
            }).ConnectionString);

            var error = Assert.Throws<MySqlException>(connection.Open);
            Assert.Equal(2026, error.Number);
            Assert.Contains("not trusted", error.Message);
            Assert.Equal(ConnectionState.Closed, connection.State);
        }
        finally
        {
            File.Delete(wrongCa);
        }
    }

    [Fact]
    public void VerifyFull_rejects_a_host_name_the_certificate_does_not_cover()
    {
        // The certificate covers 127.0.0.1 and localhost; the IPv4-mapped IPv6 spelling reaches the same server but is not in the SAN.
        using var connection = new MySqlConnection(Builder(b =>
        {
            b.Server = "::ffff:127.0.0.1";
            b.SslMode = MySqlSslMode.VerifyFull;
            b.SslCa = fixture.Server.CaCertificatePath!;
        }).ConnectionString);

        var error = Assert.Throws<MySqlException>(connection.Open);
        Assert.Equal(2026, error.Number);
        Assert.Contains("host name", error.Message);
    }

    [Fact]
    public async Task Wrong_password_fails_with_1045_and_never_shows_the_password()
    {
        const string secret = "Sup3rS3cret-Pa55word";
        await using var connection = new MySqlConnection(Builder(b => b.Password = secret).ConnectionString);

        var error = await Assert.ThrowsAsync<MySqlException>(() => connection.OpenAsync());

        Assert.Equal(1045, error.Number);
        Assert.Equal(1045, error.ErrorCode);
        Assert.Equal("28000", error.SqlState);
        Assert.Contains("Access denied", error.Message);
        Assert.DoesNotContain(secret, error.Message);
        Assert.DoesNotContain(secret, error.ToString());
        Assert.DoesNotContain(secret, connection.ToString());
        Assert.False(error.IsTransient);
    }

    [Fact]
    public void Connection_string_loses_the_password_after_open()
    {
        var password = fixture.Server.Password;
        using var connection = new MySqlConnection(fixture.ConnectionString);
        Assert.Contains(password, connection.ConnectionString);

        connection.Open();
        Assert.DoesNotContain(password, connection.ConnectionString);
        Assert.DoesNotContain(password, connection.ToString());
        Assert.Contains("tm_test", connection.ConnectionString);

        // The connection can still be reopened: the password is kept internally.
        connection.Close();
        connection.Open();
        Assert.Equal(ConnectionState.Open, connection.State);
    }

    [Fact]
    public async Task Refused_connection_is_a_transient_MySqlException()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var unusedPort = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        await using var connection = new MySqlConnection($"Server=127.0.0.1;Port={unusedPort};User ID=x;Password=y;Connect Timeout=5");
        var error = await Assert.ThrowsAsync<MySqlException>(() => connection.OpenAsync());

        Assert.Equal(2002, error.Number);
        Assert.True(error.IsTransient);
        Assert.True(MySqlDriver.IsTransient(error));
    }

    [Fact]
    public async Task Ping_and_ChangeDatabase()
    {
        await fixture.Server.CreateDatabaseAsync("tm_mysql_other");
        await using var connection = await fixture.OpenConnectionAsync();

        Assert.True(connection.Ping());
        Assert.True(await connection.PingAsync());

        await connection.ChangeDatabaseAsync("tm_mysql_other");
        Assert.Equal("tm_mysql_other", connection.Database);
        Assert.Equal("tm_mysql_other", connection.Scalar("SELECT DATABASE()"));

        var error = Assert.Throws<MySqlException>(() => connection.ChangeDatabase("tm_does_not_exist"));
        Assert.Equal(1049, error.Number);
        Assert.Equal("tm_mysql_other", connection.Database);
        Assert.True(connection.Ping());
    }

    [Fact]
    public async Task Ping_returns_false_after_the_server_killed_the_connection()
    {
        await using var victim = await fixture.OpenConnectionAsync();
        await using var killer = await fixture.OpenConnectionAsync();
        killer.Execute("KILL CONNECTION " + victim.ServerThreadId);

        Assert.False(await victim.PingAsync());
        var error = Assert.ThrowsAny<Exception>(() => victim.Scalar("SELECT 1"));
        Assert.True(error is InvalidOperationException || MySqlDriver.IsTransient(error));
    }

    [Fact]
    public void Works_through_generic_ADO_NET_factory_code()
    {
        System.Data.Common.DbProviderFactory factory = MySqlClientFactory.Instance;
        using var connection = MySqlDriver.CreateConnection(fixture.ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT @a + @b";
        var a = factory.CreateParameter()!;
        a.ParameterName = "@a";
        a.Value = 40;
        command.Parameters.Add(a);
        var b = command.CreateParameter();
        b.ParameterName = "b";
        b.Value = 2;
        command.Parameters.Add(b);

        Assert.Equal(42L, Convert.ToInt64(command.ExecuteScalar()));
        Assert.IsType<MySqlConnection>(connection);
    }
}

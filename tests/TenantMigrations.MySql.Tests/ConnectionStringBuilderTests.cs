namespace TenantMigrations.MySql.Tests;

public sealed class ConnectionStringBuilderTests
{
    [Fact]
    public void Aliases_are_case_insensitive_and_typed()
    {
        var builder = new MySqlConnectionStringBuilder(
            "host=db.example;PORT=3307;initial catalog=app;uid=me;pwd=secret;sslmode=verifyfull;SslCA=/ca.pem;connect timeout=5;default command timeout=60;charset=utf8mb4;Allow Public Key Retrieval=true");

        Assert.Equal("db.example", builder.Server);
        Assert.Equal(3307u, builder.Port);
        Assert.Equal("app", builder.Database);
        Assert.Equal("me", builder.UserID);
        Assert.Equal("secret", builder.Password);
        Assert.Equal(MySqlSslMode.VerifyFull, builder.SslMode);
        Assert.Equal("/ca.pem", builder.SslCa);
        Assert.Equal(5u, builder.ConnectionTimeout);
        Assert.Equal(60u, builder.DefaultCommandTimeout);
        Assert.True(builder.AllowPublicKeyRetrieval);
        Assert.Equal("me", builder["User"]);
        Assert.True(builder.ContainsKey("Username"));
    }

    [Fact]
    public void Defaults_match_MySqlConnector()
    {
        var builder = new MySqlConnectionStringBuilder();
        Assert.Equal(3306u, builder.Port);
        Assert.Equal(MySqlSslMode.Preferred, builder.SslMode);
        Assert.Equal(15u, builder.ConnectionTimeout);
        Assert.Equal(30u, builder.DefaultCommandTimeout);
        Assert.Equal("utf8mb4", builder.CharacterSet);
    }

    [Fact]
    public void Unknown_key_throws_naming_the_key()
    {
        var error = Assert.Throws<ArgumentException>(() => new MySqlConnectionStringBuilder("Server=x;Frobnicate=1"));
        Assert.Contains("frobnicate", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Throws<ArgumentException>(() => new MySqlConnection("Server=x;Bogus Key=2"));
    }

    [Fact]
    public void Invalid_values_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new MySqlConnectionStringBuilder("SslMode=Sometimes"));
        Assert.Throws<ArgumentException>(() => new MySqlConnectionStringBuilder("Port=abc"));
        Assert.Throws<ArgumentException>(() => new MySqlConnectionStringBuilder("CharSet=latin1"));
    }

    [Fact]
    public void ToString_never_contains_the_password()
    {
        var builder = new MySqlConnectionStringBuilder("Server=h;User ID=u;Password=TopSecret123");
        Assert.DoesNotContain("TopSecret123", builder.ToString());
        Assert.Contains("TopSecret123", builder.ConnectionString); // needed to round-trip the builder itself
        Assert.DoesNotContain("TopSecret123", new MySqlConnection(builder.ConnectionString).ToString());
    }

    [Fact]
    public void Factory_creates_provider_objects()
    {
        Assert.IsType<MySqlConnection>(MySqlClientFactory.Instance.CreateConnection());
        Assert.IsType<MySqlCommand>(MySqlClientFactory.Instance.CreateCommand());
        Assert.IsType<MySqlParameter>(MySqlClientFactory.Instance.CreateParameter());
        Assert.IsType<MySqlConnectionStringBuilder>(MySqlClientFactory.Instance.CreateConnectionStringBuilder());
        Assert.Same(MySqlClientFactory.Instance, System.Data.Common.DbProviderFactories.GetFactory(new MySqlConnection()));
    }

    [Theory]
    [InlineData(1040, true)]
    [InlineData(1205, true)]
    [InlineData(1213, true)]
    [InlineData(2006, true)]
    [InlineData(2013, true)]
    [InlineData(1146, false)]
    [InlineData(1045, false)]
    public void Transient_classification(int number, bool transient)
    {
        var error = new MySqlException("x", number);
        Assert.Equal(transient, error.IsTransient);
        Assert.Equal(transient, MySqlDriver.IsTransient(error));
        Assert.Equal(transient, MySqlDriver.IsTransient(new InvalidOperationException("wrapped", error)));
    }
}

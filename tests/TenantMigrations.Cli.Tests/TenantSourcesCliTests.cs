using System.Security.Cryptography;
using System.Text;
using TenantMigrations.MySql;
using TenantMigrations.TestSupport;

namespace TenantMigrations.Cli.Tests;

/// <summary>
/// The CLI's tenant sources on a real PostgreSQL: database discovery, --exclude on every fleet verb, and a catalog
/// that keeps each tenant role's password encrypted under a key held in an environment variable.
/// </summary>
public sealed class PostgresTenantSourcesCliTests(PostgresFixture pg) : IClassFixture<PostgresFixture>, IDisposable
{
    private const string KeyVariable = "TM_TEST_TENANT_KEY";
    private readonly TempFolder temp = new();
    private readonly string prefix = "src" + Guid.NewGuid().ToString("N")[..8];
    private readonly byte[] key = RandomNumberGenerator.GetBytes(32);
    private readonly List<string> passwords = [];

    public void Dispose() => temp.Dispose();

    /// <summary>AES-256-CBC as such platforms store it: base64 of a 16-byte IV followed by the PKCS7-padded ciphertext.</summary>
    public static string Encrypt(string password, byte[] key)
    {
        using var aes = Aes.Create();
        aes.Key = key;
        aes.GenerateIV();
        var cipher = aes.EncryptCbc(Encoding.UTF8.GetBytes(password), aes.IV, PaddingMode.PKCS7);
        return Convert.ToBase64String([.. aes.IV, .. cipher]);
    }

    private void WriteMigrations()
    {
        temp.Write("migrations/V1__create_users.sql", "CREATE TABLE users (id int PRIMARY KEY);\n");
    }

    private async Task<CliResult> Run(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var run = await CliRunner.RunAsync(temp.Path, environment, args);
        foreach (var secret in pg.Secrets.Concat(passwords).Append(Convert.ToBase64String(key)))
        {
            Assert.False(run.All.Contains(secret, StringComparison.Ordinal), $"a secret in the output:\n{run}");
        }
        return run;
    }

    private Task<CliResult> Run(params string[] args) => Run(new Dictionary<string, string?>(), args);

    private async Task<bool> HasUsersTableAsync(string database) =>
        await pg.Server.ExecuteAsync("SELECT count(*) FROM pg_tables WHERE tablename = 'users'", database) == "1";

    [Fact]
    public async Task Database_discovery_with_exclude_migrates_and_reports_only_the_tenants_left()
    {
        WriteMigrations();
        foreach (var suffix in new[] { "a", "b", "c" }) await pg.Server.CreateDatabaseAsync($"{prefix}_{suffix}");
        string[] source = ["--pg", pg.Server.AdminConnectionString, "--database-like", $"{prefix}\\_%", "--exclude", $"{prefix}_b"];

        var status = await Run(["status", .. source, "--json"]);
        var migrate = await Run(["migrate", .. source, "--json"]);
        var validate = await Run(["validate", .. source, "--json"]);

        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Equal([$"{prefix}_a", $"{prefix}_c"], status.Json("status").Select(s => s.GetProperty("tenant").GetString()));
        Assert.True(migrate.ExitCode == 0, migrate.ToString());
        Assert.Equal([$"{prefix}_a", $"{prefix}_c"], migrate.Json("result").Select(r => r.GetProperty("tenant").GetString()).Order());
        Assert.True(await HasUsersTableAsync($"{prefix}_a"));
        Assert.False(await HasUsersTableAsync($"{prefix}_b"));
        Assert.True(await HasUsersTableAsync($"{prefix}_c"));
        Assert.True(validate.ExitCode == 0, validate.ToString());
        Assert.DoesNotContain($"{prefix}_b", validate.Stdout);
    }

    [Fact]
    public async Task Discovery_options_that_do_not_go_together_are_usage_errors()
    {
        WriteMigrations();

        var noPattern = await Run("status", "--mysql", "Server=127.0.0.1;User ID=u");
        var both = await Run("status", "--pg", pg.Server.AdminConnectionString, "--schema-like", "t%", "--database-like", "t%");
        var noQuery = await Run("status", "--catalog", pg.Server.AdminConnectionString);
        var noKey = await Run("status", "--catalog", pg.Server.AdminConnectionString, "--query", "SELECT 1", "--password-column", "pw");

        Assert.Equal(2, noPattern.ExitCode);
        Assert.Contains("--mysql needs --database-like", noPattern.Stderr);
        Assert.Equal(2, both.ExitCode);
        Assert.Contains("not both", both.Stderr);
        Assert.Equal(2, noQuery.ExitCode);
        Assert.Contains("--catalog <conn> and --query <sql> go together", noQuery.Stderr);
        Assert.Equal(2, noKey.ExitCode);
        Assert.Contains("--password-key-env", noKey.Stderr);
    }

    /// <summary>Three tenant databases, each owned by its own role with its own password; a catalog database lists them.</summary>
    private async Task<string> CatalogAsync(byte[] globexKey)
    {
        var catalog = await pg.Server.CreateDatabaseAsync($"{prefix}_catalog");
        var admin = new Npgsql.NpgsqlConnectionStringBuilder(pg.Server.AdminConnectionString);
        var rows = new List<string>();
        foreach (var tenant in new[] { "acme", "globex", "initech" })
        {
            var role = $"{prefix}_{tenant}";
            var password = $"{tenant}-Pw-{Guid.NewGuid():N}"[..24];
            passwords.Add(password);
            await pg.Server.ExecuteAsync($"CREATE ROLE \"{role}\" LOGIN PASSWORD '{password}'");
            await pg.Server.ExecuteAsync($"CREATE DATABASE \"{role}\" OWNER \"{role}\"");
            var connection = new Npgsql.NpgsqlConnectionStringBuilder { Host = admin.Host, Port = admin.Port, Username = role, Database = role }.ConnectionString;
            var encrypted = Encrypt(password, tenant == "globex" ? globexKey : key);
            rows.Add($"('{tenant}', '{connection}', '{encrypted}')");
        }
        await pg.Server.ExecuteAsync($"CREATE TABLE tenants (name text, conn text, db_password text); INSERT INTO tenants VALUES {string.Join(", ", rows)};", $"{prefix}_catalog");
        return catalog;
    }

    private static readonly string Query = "SELECT name, 'postgres' AS engine, conn AS \"connectionString\", db_password FROM tenants ORDER BY name";

    [Fact]
    public async Task A_catalog_with_encrypted_passwords_connects_each_tenant_as_its_own_role()
    {
        WriteMigrations();
        var catalog = await CatalogAsync(key);
        var environment = new Dictionary<string, string?> { [KeyVariable] = Convert.ToHexString(key) };

        var migrate = await Run(environment, "migrate", "--catalog", catalog, "--query", Query, "--password-column", "db_password", "--password-key-env", KeyVariable, "--exclude", "initech", "--json");

        Assert.True(migrate.ExitCode == 0, migrate.ToString());
        Assert.Equal(["acme", "globex"], migrate.Json("result").Select(r => r.GetProperty("tenant").GetString()).Order());
        Assert.True(await HasUsersTableAsync($"{prefix}_acme"));
        Assert.True(await HasUsersTableAsync($"{prefix}_globex"));
        Assert.False(await HasUsersTableAsync($"{prefix}_initech"));
        Assert.Equal($"{prefix}_globex", await pg.Server.ExecuteAsync("SELECT tableowner FROM pg_tables WHERE tablename = 'users'", $"{prefix}_globex"));
    }

    [Fact]
    public async Task A_row_encrypted_under_another_key_makes_only_that_tenant_unreachable_naming_the_column()
    {
        WriteMigrations();
        var catalog = await CatalogAsync(RandomNumberGenerator.GetBytes(32));
        var environment = new Dictionary<string, string?> { [KeyVariable] = Convert.ToBase64String(key) };
        string[] source = ["--catalog", catalog, "--query", Query, "--password-column", "db_password", "--password-key-env", KeyVariable];

        var migrate = await Run(environment, ["migrate", .. source, "--json"]);
        var status = await Run(environment, ["status", .. source]);

        Assert.True(migrate.ExitCode == 1, migrate.ToString());
        Assert.Equal("UpToDate", migrate.Result("acme").GetProperty("stateAfter").GetString());
        Assert.Equal("UpToDate", migrate.Result("initech").GetProperty("stateAfter").GetString());
        var globex = migrate.Result("globex");
        Assert.Equal("Unreachable", globex.GetProperty("stateAfter").GetString());
        Assert.Equal("TenantSecretUnavailable", globex.GetProperty("error").GetProperty("errorId").GetString());
        Assert.Contains("'db_password'", globex.GetProperty("error").GetProperty("message").GetString());
        Assert.Contains(KeyVariable, globex.GetProperty("error").GetProperty("message").GetString());
        Assert.False(await HasUsersTableAsync($"{prefix}_globex"));
        Assert.Equal(1, status.ExitCode);
        Assert.Matches(@"globex\s+Postgres\s+Unreachable", status.Stdout);
        Assert.Matches(@"acme\s+Postgres\s+UpToDate", status.Stdout);
    }

    [Fact]
    public async Task A_tenant_naming_a_secret_is_unreachable_on_the_command_line_which_has_no_secret_store()
    {
        WriteMigrations();
        await pg.Server.CreateDatabaseAsync($"{prefix}_plain");
        var tenants = new[]
        {
            new Dictionary<string, string> { ["name"] = "plain", ["engine"] = "postgres", ["connectionString"] = pg.Server.ConnectionStringFor($"{prefix}_plain") },
            new Dictionary<string, string> { ["name"] = "vaulted", ["engine"] = "postgres", ["connectionString"] = pg.Server.ConnectionStringFor($"{prefix}_plain"), ["secretName"] = "vaulted-db", ["secretVault"] = "prod" },
        };
        var file = temp.Write("tenants.json", System.Text.Json.JsonSerializer.Serialize(tenants));

        var migrate = await Run("migrate", "--tenants", file, "--json");
        var status = await Run("status", "--tenants", file);

        Assert.True(migrate.ExitCode == 1, migrate.ToString());
        Assert.Equal("UpToDate", migrate.Result("plain").GetProperty("stateAfter").GetString());
        var vaulted = migrate.Result("vaulted");
        Assert.Equal("Unreachable", vaulted.GetProperty("stateAfter").GetString());
        Assert.Equal("TenantSecretUnavailable", vaulted.GetProperty("error").GetProperty("errorId").GetString());
        Assert.Contains("secret 'vaulted-db' in vault 'prod' cannot be resolved", vaulted.GetProperty("error").GetProperty("message").GetString());
        // Its connection string is the plain tenant's: the status read must not borrow that tenant's connection.
        Assert.Matches(@"vaulted\s+Postgres\s+Unreachable\s+.*secret 'vaulted-db'", status.Stdout);
        Assert.Matches(@"plain\s+Postgres\s+UpToDate", status.Stdout);
    }

    [Fact]
    public async Task A_key_variable_that_is_not_set_fails_the_call_naming_the_variable()
    {
        WriteMigrations();
        var catalog = await CatalogAsync(key);

        var run = await Run(new Dictionary<string, string?> { [KeyVariable] = null }, "status", "--catalog", catalog, "--query", Query, "--password-column", "db_password", "--password-key-env", KeyVariable);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"'{KeyVariable}' is not set", run.Stderr);
    }
}

/// <summary>MySQL/MariaDB database discovery through the CLI: one tenant per database, system databases never.</summary>
public sealed class MySqlTenantSourcesCliTests(MariaDbFixture mariadb) : IClassFixture<MariaDbFixture>, IDisposable
{
    private readonly TempFolder temp = new();
    private readonly string prefix = "msrc" + Guid.NewGuid().ToString("N")[..8];

    public void Dispose() => temp.Dispose();

    private async Task<long> TableCountAsync(string database)
    {
        await using var connection = new MySqlConnection(mariadb.Server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new MySqlCommand("SELECT count(*) FROM information_schema.tables WHERE table_schema = @db AND table_name = 'users'", connection);
        command.Parameters.AddWithValue("@db", database);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Database_discovery_migrates_every_matching_database_except_the_excluded_ones()
    {
        foreach (var suffix in new[] { "a", "b", "c" }) await mariadb.Server.CreateDatabaseAsync($"{prefix}_{suffix}");
        temp.Write("migrations/V1__create_users.sql", "CREATE TABLE users (id INT PRIMARY KEY);\n");

        var migrate = await CliRunner.RunAsync(temp.Path, "migrate", "--mysql", mariadb.Server.ConnectionString, "--database-like", $"{prefix}%", "--exclude", "*_c", "--json");
        var history = await CliRunner.RunAsync(temp.Path, "history", "--mysql", mariadb.Server.ConnectionString, "--database-like", $"{prefix}%", "--exclude", "*_c", "--json");

        Assert.True(migrate.ExitCode == 0, migrate.ToString());
        Assert.Equal([$"{prefix}_a", $"{prefix}_b"], migrate.Json("result").Select(r => r.GetProperty("tenant").GetString()).Order());
        Assert.Equal(1, await TableCountAsync($"{prefix}_a"));
        Assert.Equal(1, await TableCountAsync($"{prefix}_b"));
        Assert.Equal(0, await TableCountAsync($"{prefix}_c"));
        Assert.DoesNotContain(mariadb.Server.Password, migrate.All + history.All);
        Assert.True(history.ExitCode == 0, history.ToString());
        Assert.DoesNotContain($"{prefix}_c", history.Stdout);
    }

    [Fact]
    public async Task A_sqlite_catalog_with_encrypted_passwords_connects_each_mysql_tenant_as_its_own_user()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var passwords = new List<string>();
        var catalog = Path.Combine(temp.Path, "catalog.db");
        var rows = new List<string>();
        foreach (var tenant in new[] { "acme", "globex" })
        {
            var name = $"{prefix}_{tenant}";
            var password = $"My-{tenant}-{Guid.NewGuid():N}"[..20];
            passwords.Add(password);
            await mariadb.Server.CreateDatabaseAsync(name);
            await mariadb.Server.ExecuteSqlAsync($"CREATE USER '{name}'@'%' IDENTIFIED BY '{password}'; GRANT ALL PRIVILEGES ON `{name}`.* TO '{name}'@'%';");
            var connection = new MySqlConnectionStringBuilder { Server = mariadb.Server.Host, Port = (uint)mariadb.Server.Port, UserID = name, Database = name }.ConnectionString;
            var encrypted = tenant == "globex" ? "bm90IGEgY2lwaGVydGV4dA==" : PostgresTenantSourcesCliTests.Encrypt(password, key);
            rows.Add($"('{tenant}', '{connection}', '{encrypted}')");
        }
        SqliteFile.Execute(catalog, $"CREATE TABLE tenants (name TEXT, conn TEXT, pw TEXT); INSERT INTO tenants VALUES {string.Join(", ", rows)};");
        temp.Write("migrations/V1__create_users.sql", "CREATE TABLE users (id INT PRIMARY KEY);\n");
        var environment = new Dictionary<string, string?> { ["TM_MYSQL_KEY"] = Convert.ToBase64String(key) };

        var migrate = await CliRunner.RunAsync(temp.Path, environment, "migrate", "--catalog", $"Data Source={catalog}", "--catalog-engine", "sqlite",
            "--query", "SELECT name, 'mysql' AS engine, conn AS connectionString, pw FROM tenants", "--password-column", "pw", "--password-key-env", "TM_MYSQL_KEY", "--json");

        Assert.True(migrate.ExitCode == 1, migrate.ToString());
        Assert.Equal("UpToDate", migrate.Result("acme").GetProperty("stateAfter").GetString());
        Assert.Equal(1, await TableCountAsync($"{prefix}_acme"));
        var globex = migrate.Result("globex");
        Assert.Equal("TenantSecretUnavailable", globex.GetProperty("error").GetProperty("errorId").GetString());
        Assert.Contains("column 'pw' does not hold a 16-byte IV", globex.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(0, await TableCountAsync($"{prefix}_globex"));
        Assert.All(passwords.Append(environment["TM_MYSQL_KEY"]!), secret => Assert.DoesNotContain(secret, migrate.All));
    }
}

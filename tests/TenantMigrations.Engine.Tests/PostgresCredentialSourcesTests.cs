using System.Security.Cryptography;
using Npgsql;
using TenantMigrations.Engine.Commands;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Planning;
using TenantMigrations.Engine.Tenants;
using TenantMigrations.TestSupport;

namespace TenantMigrations.Engine.Tests;

/// <summary>
/// PostgreSQL database discovery and per-tenant credentials on a real server: each tenant database belongs to its
/// own role with its own password, which only the decrypted catalog column or the secret resolver provides.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresCredentialSourcesTests(PostgresFixture postgres) : IDisposable
{
    private readonly TempFolder folder = new();
    private readonly string prefix = "cred" + Guid.NewGuid().ToString("N")[..8];

    public void Dispose() => folder.Dispose();

    /// <summary>A role with its own password owning its own database; returns the connection string without a password.</summary>
    private async Task<string> TenantDatabaseAsync(string suffix, string password)
    {
        var name = $"{prefix}_{suffix}";
        await postgres.Server.ExecuteAsync($"CREATE ROLE \"{name}\" LOGIN PASSWORD '{password}'");
        await postgres.Server.ExecuteAsync($"CREATE DATABASE \"{name}\" OWNER \"{name}\"");
        var admin = new NpgsqlConnectionStringBuilder(postgres.Server.AdminConnectionString);
        return new NpgsqlConnectionStringBuilder { Host = admin.Host, Port = admin.Port, Username = name, Database = name }.ConnectionString;
    }

    private MigrationSet Migrations()
    {
        folder.Write("migrations/V1__base.sql", "CREATE TABLE base (id int);");
        return MigrationSet.Load(folder.Combine("migrations"));
    }

    [Fact]
    public async Task Database_discovery_finds_one_tenant_per_matching_database_with_the_same_credentials()
    {
        await postgres.Server.CreateDatabaseAsync($"{prefix}_t1");
        await postgres.Server.CreateDatabaseAsync($"{prefix}_t2");
        await postgres.Server.CreateDatabaseAsync($"{prefix}x_other");

        var tenants = await DatabaseDiscovery.FromPostgresAsync(postgres.Server.AdminConnectionString, $"{prefix}\\_t%");

        Assert.Equal([$"{prefix}_t1", $"{prefix}_t2"], tenants.Select(t => t.Name));
        Assert.All(tenants, t => Assert.Equal(t.Name, new NpgsqlConnectionStringBuilder(t.GetConnectionString()).Database));
        Assert.All(tenants, t => Assert.Equal(PostgresServer.Password, new NpgsqlConnectionStringBuilder(t.GetConnectionString()).Password));
        var summary = await new FleetMigrator().MigrateAsync(tenants, Migrations(), new MigrateOptions(), new RecordingSink());
        Assert.Equal(2, summary.Succeeded);
    }

    [Fact]
    public async Task Get_Tenant_database_discovery_applies_exclude_and_the_credential_to_every_tenant()
    {
        await TenantDatabaseAsync("q1", "Q-Pw-61");
        await postgres.Server.CreateDatabaseAsync($"{prefix}_q2");
        await postgres.Server.CreateDatabaseAsync($"{prefix}_q3");
        var admin = new NpgsqlConnectionStringBuilder(postgres.Server.AdminConnectionString) { Username = "nobody", Password = "wrong" };
        var query = new TenantQuery
        {
            Source = TenantSourceKind.PostgresDatabases,
            Location = admin.ConnectionString,
            DatabaseLike = $"{prefix}\\_q%",
            Exclude = [$"*_q3"],
            UserName = "postgres",
            Password = PostgresServer.Password,
        };

        var tenants = await query.RunAsync(folder.Path);

        Assert.Equal([$"{prefix}_q1", $"{prefix}_q2"], tenants.Select(t => t.Name));
        Assert.All(tenants, t => Assert.Equal(("postgres", PostgresServer.Password), (new NpgsqlConnectionStringBuilder(t.GetConnectionString()).Username, new NpgsqlConnectionStringBuilder(t.GetConnectionString()).Password)));
        var misplaced = await Assert.ThrowsAsync<TenantSourceException>(() => (query with { PasswordColumn = "pw", PasswordKeyVariable = "K" }).RunAsync(folder.Path));
        Assert.Contains("catalog query", misplaced.Message);
    }

    [Fact]
    public async Task The_like_pattern_is_a_parameter_not_sql_text()
    {
        await postgres.Server.CreateDatabaseAsync($"{prefix}_t1");

        var tenants = await DatabaseDiscovery.FromPostgresAsync(postgres.Server.AdminConnectionString, "x' OR '1'='1");

        Assert.Empty(tenants);
    }

    [Fact]
    public async Task A_catalog_with_encrypted_passwords_connects_each_tenant_with_its_own_and_a_wrong_key_makes_only_that_tenant_unreachable()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var wrongKey = RandomNumberGenerator.GetBytes(32);
        var acme = await TenantDatabaseAsync("acme", "Acme-Pw-41");
        var globex = await TenantDatabaseAsync("globex", "Globex-Pw-42");
        var initech = await TenantDatabaseAsync("initech", "Initech-Pw-43");
        var catalog = folder.Combine("catalog.db");
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={catalog}"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE tenants (name TEXT, engine TEXT, connection_string TEXT, db_password TEXT, plan TEXT);"
                + "INSERT INTO tenants VALUES ('acme', 'postgres', $acme, $acmePw, 'gold'), ('globex', 'postgres', $globex, $globexPw, 'free'), ('initech', 'postgres', $initech, $initechPw, 'free');";
            command.Parameters.AddWithValue("$acme", acme);
            command.Parameters.AddWithValue("$acmePw", EncryptedPasswordColumn.Encrypt("Acme-Pw-41", key));
            command.Parameters.AddWithValue("$globex", globex);
            command.Parameters.AddWithValue("$globexPw", EncryptedPasswordColumn.Encrypt("Globex-Pw-42", wrongKey));
            command.Parameters.AddWithValue("$initech", initech);
            command.Parameters.AddWithValue("$initechPw", EncryptedPasswordColumn.Encrypt("Initech-Pw-43", key));
            await command.ExecuteNonQueryAsync();
        }
        var query = new TenantQuery
        {
            Source = TenantSourceKind.CatalogQuery,
            CatalogEngine = DatabaseEngine.Sqlite,
            Location = $"Data Source={catalog}",
            Query = "SELECT name, engine, connection_string AS connectionString, db_password, plan FROM tenants ORDER BY name",
            PasswordColumn = "db_password",
            PasswordKeyVariable = "TM_TENANT_KEY",
            GetEnvironmentVariable = name => name == "TM_TENANT_KEY" ? Convert.ToBase64String(key) : null,
        };

        var tenants = await query.RunAsync(folder.Path);
        var sink = new RecordingSink();
        var summary = await new FleetMigrator().MigrateAsync(tenants, Migrations(), new MigrateOptions(), sink);
        var statuses = await new FleetMigrator().GetStatusAsync(tenants, Migrations(), new PlanOptions());

        Assert.All(tenants, t => Assert.False(t.Properties.ContainsKey("db_password")));
        Assert.Equal("gold", tenants[0].Properties["plan"]);
        Assert.Equal((2, 1), (summary.Succeeded, summary.Unreachable));
        var failed = sink.Results.Single(r => r.TenantName == "globex");
        Assert.Equal((TenantState.Unreachable, ErrorIds.TenantSecretUnavailable), (failed.StateAfter, failed.Error!.ErrorId));
        Assert.Contains("'db_password'", failed.Error.Message);
        Assert.Contains("'TM_TENANT_KEY'", failed.Error.Message);
        Assert.Equal(TenantState.Unreachable, statuses.Single(s => s.TenantName == "globex").State);
        Assert.Equal(TenantState.UpToDate, statuses.Single(s => s.TenantName == "initech").State);
        Assert.Equal("0", await postgres.Server.ExecuteAsync("SELECT count(*) FROM base", $"{prefix}_initech"));
        Assert.DoesNotContain("Pw-4", sink.AllText + string.Join(" ", statuses.Select(s => s.Message)));
    }

    [Fact]
    public async Task A_secret_resolver_gives_each_tenant_its_password_and_a_missing_secret_leaves_it_unreachable()
    {
        var acme = await TenantDatabaseAsync("sacme", "Vault-Acme-51");
        var globex = await TenantDatabaseAsync("sglobex", "Vault-Globex-52");
        var resolver = new EncryptedPasswordColumnTests.DictionaryResolver(new() { [("acme-db", "prod")] = "Vault-Acme-51" });
        Tenant Named(string name, string connectionString, string secret)
        {
            var tenant = new Tenant { Name = name, Engine = DatabaseEngine.Postgres, ConnectionString = connectionString };
            tenant.Properties[TenantSecrets.NameProperty] = secret;
            tenant.Properties[TenantSecrets.VaultProperty] = "prod";
            return tenant;
        }

        var tenants = new[] { Named("acme", acme, "acme-db"), Named("globex", globex, "globex-db") }.Select(t => TenantSecrets.Resolve(t, resolver)).ToList();
        var sink = new RecordingSink();
        var summary = await new FleetMigrator().MigrateAsync(tenants, Migrations(), new MigrateOptions(), sink);

        Assert.Equal((1, 1), (summary.Succeeded, summary.Unreachable));
        var failed = sink.Results.Single(r => r.TenantName == "globex");
        Assert.Equal(ErrorIds.TenantSecretUnavailable, failed.Error!.ErrorId);
        Assert.Contains("secret 'globex-db'", failed.Error.Message);
        Assert.Equal([("acme-db", "prod"), ("globex-db", "prod")], resolver.Calls);
        Assert.DoesNotContain("Vault-", sink.AllText);
    }
}

using TenantMigrations.TestSupport;

namespace TenantMigrations.Cli.Tests;

/// <summary>tenantmigrations drift over discovered PostgreSQL schemas: classes, suggestions, and no password anywhere.</summary>
public sealed class PostgresDriftCliTests(PostgresFixture pg) : IClassFixture<PostgresFixture>, IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task Drift_over_discovered_schemas_reports_classes_writes_suggestions_and_never_prints_the_password()
    {
        var database = "drift_" + Guid.NewGuid().ToString("N")[..10];
        var connection = await pg.Server.CreateDatabaseAsync(database);
        await pg.Server.ExecuteAsync("CREATE SCHEMA tenant_a; CREATE SCHEMA tenant_b; CREATE SCHEMA tenant_c;", database);
        temp.Write("migrations/V1__users.sql", "CREATE TABLE users (id int PRIMARY KEY, phone varchar(32) UNIQUE);\n");
        var migrate = await CliRunner.RunAsync(temp.Path, "migrate", "--pg", connection, "--schema-like", "tenant_%");
        Assert.True(migrate.ExitCode == 0, migrate.ToString());
        await pg.Server.ExecuteAsync("ALTER TABLE tenant_b.users ALTER COLUMN phone TYPE varchar(20); ALTER TABLE tenant_c.users DROP CONSTRAINT users_phone_key;", database);

        var run = await CliRunner.RunAsync(temp.Path, "drift", "--pg", connection, "--schema-like", "tenant_%", "--reference-tenant", "tenant_a", "--suggest-dir", "out");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Matches(@"tenant_b\s+Postgres\s+Drifted\s+1\s+column users.phone is character varying\(20\), expected character varying\(32\)", run.Stdout);
        Assert.Matches(@"tenant_c\s+Postgres\s+Drifted\s+1\s+missing unique constraint users_phone_key on users", run.Stdout);
        Assert.Contains("3 tenants: 1 in sync, 2 drifted", run.Stdout);
        var scripts = Directory.GetFiles(temp.Combine("out"), "*.sql").Select(File.ReadAllText).ToList();
        Assert.Equal(2, scripts.Count);
        Assert.Contains(scripts, s => s.Contains("ALTER TABLE \"users\" ALTER COLUMN \"phone\" TYPE character varying(32);", StringComparison.Ordinal));
        Assert.Contains(scripts, s => s.Contains("ALTER TABLE \"users\" ADD CONSTRAINT \"users_phone_key\" UNIQUE (\"phone\");", StringComparison.Ordinal));
        foreach (var secret in pg.Secrets)
        {
            Assert.DoesNotContain(secret, run.Stdout + run.Stderr, StringComparison.Ordinal);
            Assert.All(scripts, s => Assert.DoesNotContain(secret, s, StringComparison.Ordinal));
        }
    }
}

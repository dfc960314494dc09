using Npgsql;
using TenantMigrations.TestSupport;

namespace TenantMigrations.Cli.Tests;

/// <summary>
/// A tenant's fault never ends the CLI's run: with one worker, a tenant that cannot create its journal or is not a
/// database is reported, every other tenant still migrates, and the run closes with its summary and exit 1.
/// </summary>
public sealed class FaultIsolationCliTests(PostgresFixture pg) : IClassFixture<PostgresFixture>, IDisposable
{
    private const string DeniedPassword = "Denied-Secr3t-pw";
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task A_tenant_without_privileges_is_reported_and_the_others_migrate_at_throttle_one()
    {
        var database = "iso_" + Guid.NewGuid().ToString("N")[..10];
        var connection = await pg.Server.CreateDatabaseAsync(database);
        var role = "denied_" + Guid.NewGuid().ToString("N")[..6];
        await pg.Server.ExecuteAsync($"CREATE ROLE {role} LOGIN PASSWORD '{DeniedPassword}'; REVOKE CREATE ON DATABASE \"{database}\" FROM PUBLIC;", database);
        var denied = new NpgsqlConnectionStringBuilder(connection) { Username = role, Password = DeniedPassword }.ConnectionString;
        temp.Write("migrations/V1__users.sql", "CREATE TABLE users (id int PRIMARY KEY);\n");
        temp.Write("tenants.json", System.Text.Json.JsonSerializer.Serialize(new object[]
        {
            new { name = "denied", engine = "postgres", connectionString = denied, schema = "denied" },
            new { name = "alpha", engine = "postgres", connectionString = connection, schema = "alpha" },
            new { name = "beta", engine = "postgres", connectionString = connection, schema = "beta" },
        }));

        var run = await CliRunner.RunAsync(temp.Path, "migrate", "--create", "--tenants", "tenants.json", "--migrations", "migrations", "--throttle", "1", "--json");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Equal("TenantFailed", run.Result("denied").GetProperty("error").GetProperty("errorId").GetString());
        Assert.Contains("permission denied", run.Result("denied").GetProperty("error").GetProperty("message").GetString());
        Assert.Equal("UpToDate", run.Result("alpha").GetProperty("stateAfter").GetString());
        Assert.Equal("UpToDate", run.Result("beta").GetProperty("stateAfter").GetString());
        var summary = run.Json("summary").Single();
        Assert.Equal((3, 2, 1), (summary.GetProperty("total").GetInt32(), summary.GetProperty("succeeded").GetInt32(), summary.GetProperty("failed").GetInt32()));
        Assert.DoesNotContain(DeniedPassword, run.All);
        Assert.DoesNotContain(PostgresServer.Password, run.All);
        Assert.DoesNotContain("unexpected error", run.All);
        Assert.Equal("1:succeeded", await pg.Server.ExecuteAsync("SELECT string_agg(version || ':' || state, ',') FROM beta.tenant_migrations_history", database));
    }

    [Fact]
    public async Task A_file_that_is_not_a_database_is_one_result_and_the_run_closes_with_its_summary()
    {
        temp.Write("migrations/V1__users.sql", "CREATE TABLE users (id int PRIMARY KEY);\n");
        temp.Write("fleet/a.db", "");
        temp.Write("fleet/b.db", "this is a spreadsheet export, not a database\n");
        temp.Write("fleet/c.db", "");

        var run = await CliRunner.RunAsync(temp.Path, "migrate", "--sqlite", "fleet/*.db", "--migrations", "migrations", "--throttle", "1");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Matches(@"b\s+Invalid -> Invalid.*InvalidTenant: .*b\.db is not a SQLite database", run.Stdout);
        Assert.Contains("3 tenants: 2 succeeded, 0 failed, 0 locked, 1 blocked, 0 unreachable", run.Stdout);
        Assert.Equal(["tenant_migrations_history", "users"], SqliteFile.Tables(temp.Combine("fleet", "c.db")));
        Assert.Equal("this is a spreadsheet export, not a database\n", File.ReadAllText(temp.Combine("fleet", "b.db")));
    }
}

using System.Text.Json;
using TenantMigrations.TestSupport;

namespace TenantMigrations.Cli.Tests;

/// <summary>migrate --group: one transaction per tenant where DDL is transactional, a clear refusal where it is not.</summary>
public sealed class GroupCliTests : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task Group_on_sqlite_applies_a_failing_group_not_at_all_and_journals_the_failed_migration()
    {
        temp.Write("migrations/V1__a.sql", "CREATE TABLE a (id INTEGER);");
        temp.Write("migrations/V2__b.sql", "CREATE TABLE b (id INTEGER);");
        temp.Write("migrations/V3__broken.sql", "INSERT INTO no_such_table (id) VALUES (1);");
        temp.Write("fleet/one.db", "");

        var run = await CliRunner.RunAsync(temp.Path, "migrate", "--sqlite", "fleet/*.db", "--migrations", "migrations", "--group", "--json");

        Assert.NotEqual(0, run.ExitCode);
        var result = run.Result("one");
        Assert.Equal("3", result.GetProperty("error").GetProperty("version").GetString());
        Assert.Contains("group of 3 migrations was rolled back", result.GetProperty("error").GetProperty("message").GetString());
        var tables = SqliteFile.Tables(temp.Combine("fleet/one.db"));
        Assert.DoesNotContain("a", tables);
        Assert.DoesNotContain("b", tables);

        Assert.Equal([("3", "failed")], SqliteFile.Journal(temp.Combine("fleet/one.db")));

        // The failed transactional migration left nothing behind, so once fixed the group runs again as a whole.
        temp.Write("migrations/V3__broken.sql", "CREATE TABLE c (id INTEGER);");
        var again = await CliRunner.RunAsync(temp.Path, "migrate", "--sqlite", "fleet/*.db", "--migrations", "migrations", "--group", "--json");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(3, again.Json("summary").Single().GetProperty("migrationsApplied").GetInt32());
        Assert.Contains("c", SqliteFile.Tables(temp.Combine("fleet/one.db")));
        Assert.Equal([("3", "failed"), ("1", "succeeded"), ("2", "succeeded"), ("3", "succeeded")], SqliteFile.Journal(temp.Combine("fleet/one.db")));
        Assert.Equal("1,2,3,4", Ranks(temp.Combine("fleet/one.db")));
    }

    /// <summary>The journal's installed ranks in order: a rolled-back group leaves no gap.</summary>
    private static string Ranks(string path)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT group_concat(installed_rank, ',') FROM (SELECT installed_rank FROM tenant_migrations_history ORDER BY installed_rank)";
        return (string)command.ExecuteScalar()!;
    }

    [Fact]
    public async Task Group_on_mysql_tenants_is_refused_with_exit_2_naming_the_tenant()
    {
        var tenants = new[] { new { name = "maria", engine = "mysql", connectionString = $"Server=127.0.0.1;Port={PostgresServer.FreePort()};User ID=nobody;Password=unused-Secr3t;Database=maria" } };
        var file = temp.Write("tenants.json", JsonSerializer.Serialize(tenants));
        temp.Write("migrations/V1__a.sql", "CREATE TABLE a (id INTEGER);");

        var run = await CliRunner.RunAsync(temp.Path, "migrate", "--tenants", file, "--migrations", "migrations", "--group");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("'maria'", run.Stderr);
        Assert.Contains("commits every DDL statement by itself", run.Stderr);
        Assert.DoesNotContain("unused-Secr3t", run.Stdout + run.Stderr);
    }
}

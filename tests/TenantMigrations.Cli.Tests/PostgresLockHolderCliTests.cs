using TenantMigrations.TestSupport;

namespace TenantMigrations.Cli.Tests;

/// <summary>Two tool runs on one PostgreSQL fleet: the second names the first as the holder of the lock it meets.</summary>
public sealed class PostgresLockHolderCliTests(PostgresFixture pg) : IClassFixture<PostgresFixture>, IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task Status_and_a_second_migrate_name_the_run_that_holds_a_tenants_lock()
    {
        var database = "holder_" + Guid.NewGuid().ToString("N")[..10];
        var connection = await pg.Server.CreateDatabaseAsync(database);
        await pg.Server.ExecuteAsync("CREATE SCHEMA tenant_a;", database);
        temp.Write("migrations/V1__slow.sql", "CREATE TABLE users (id int);\nSELECT pg_sleep(8);\n");

        using var first = CliRunner.Start(temp.Path, "migrate", "--pg", connection, "--schema-like", "tenant_%", "--json", "--quiet");
        var firstOutput = first.StandardOutput.ReadToEndAsync();
        CliResult? status = null;
        for (var attempt = 0; attempt < 40; attempt++)
        {
            status = await CliRunner.RunAsync(temp.Path, "status", "--pg", connection, "--schema-like", "tenant_%", "--json");
            if (status.Json("status").Single().GetProperty("state").GetString() == "Locked") break;
            await Task.Delay(200);
        }
        var second = await CliRunner.RunAsync(temp.Path, "migrate", "--pg", connection, "--schema-like", "tenant_%", "--json", "--lock-timeout", "0");
        var firstRun = await CliRunner.WaitAsync(first, firstOutput);

        Assert.True(firstRun.ExitCode == 0, firstRun.ToString());
        var runId = Assert.Single(firstRun.Json("summary")).GetProperty("runId").GetString();
        var expected = $"locked by tenantmigrations/{runId} on host 127.0.0.1 backend pid ";
        var locked = status!.Json("status").Single();
        Assert.Equal("Locked", locked.GetProperty("state").GetString());
        Assert.Contains(expected, locked.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.True(second.ExitCode == 1, second.ToString());
        var error = second.Result("tenant_a").GetProperty("error");
        Assert.Equal("TenantLocked", error.GetProperty("errorId").GetString());
        Assert.Contains(expected, error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(PostgresServer.Password, status.All + second.All, StringComparison.Ordinal);
    }
}

using System.Text.Json;
using TenantMigrations.TestSupport;

namespace TenantMigrations.Cli.Tests;

/// <summary>validate, history and repair against MariaDB, where a failed DDL migration leaves its changes behind.</summary>
public sealed class MySqlJournalVerbsCliTests(MariaDbFixture mariadb) : IClassFixture<MariaDbFixture>, IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    private Task<CliResult> Run(params string[] args) => CliRunner.RunAsync(temp.Path, args);

    [Fact]
    public async Task A_failed_migration_and_an_edited_file_are_validated_listed_and_repaired()
    {
        var database = "verbs_" + Guid.NewGuid().ToString("N")[..8];
        await mariadb.Server.CreateDatabaseAsync(database);
        temp.Write("tenants.json", JsonSerializer.Serialize(new[] { new { name = "acme", engine = "mysql", connectionString = mariadb.Server.ConnectionStringFor(database) } }));
        temp.Write("migrations/V1__base.sql", "CREATE TABLE base (id INT);\n");
        temp.Write("migrations/V2__audit.sql", "CREATE TABLE audit (id INT);\nINSERT INTO nowhere VALUES (1);\n");
        Assert.Equal(1, (await Run("migrate", "--create", "--tenants", "tenants.json")).ExitCode);
        temp.Write("migrations/V1__base.sql", "CREATE TABLE base (id INT, note TEXT);\n");

        var validate = await Run("validate", "--tenants", "tenants.json");
        var history = await Run("history", "--tenants", "tenants.json", "--json");

        Assert.True(validate.ExitCode == 1, validate.ToString());
        Assert.Contains("1: checksum mismatch", validate.Stdout, StringComparison.Ordinal);
        Assert.Contains("2: failed", validate.Stdout, StringComparison.Ordinal);
        Assert.Equal([("1", "Succeeded"), ("2", "Failed")], history.Json("history").Select(r => (r.GetProperty("version").GetString(), r.GetProperty("state").GetString())));

        temp.Write("migrations/V2__audit.sql", "CREATE TABLE audit (id INT);\n");
        await using (var connection = new TenantMigrations.MySql.MySqlConnection(mariadb.Server.ConnectionStringFor(database)))
        {
            await connection.OpenAsync();
            await using var drop = new TenantMigrations.MySql.MySqlCommand("DROP TABLE audit", connection);
            await drop.ExecuteNonQueryAsync();
        }
        var repair = await Run("repair", "--tenants", "tenants.json", "--yes", "--json");

        Assert.True(repair.ExitCode == 0, repair.ToString());
        var result = Assert.Single(repair.Json("repair"));
        Assert.Equal(["2"], result.GetProperty("removedFailed").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal(["1"], result.GetProperty("realignedChecksums").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal("Pending", result.GetProperty("stateAfter").GetString());
        Assert.Equal(0, (await Run("validate", "--tenants", "tenants.json")).ExitCode);
        Assert.Equal(0, (await Run("migrate", "--create", "--tenants", "tenants.json")).ExitCode);
        var after = await Run("history", "--tenants", "tenants.json", "--json");
        Assert.Equal([("1", "Succeeded"), ("2", "Succeeded")], after.Json("history").Select(r => (r.GetProperty("version").GetString(), r.GetProperty("state").GetString())));
    }
}

using TenantMigrations.TestSupport;

namespace TenantMigrations.Cli.Tests;

/// <summary>history as a process over SQLite tenants: the journal rows, the filters, the refusals.</summary>
public sealed class HistoryCliTests : IDisposable
{
    private readonly TempFolder temp = new();

    public HistoryCliTests()
    {
        temp.Write("migrations/V1__create_users.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY);\n");
        temp.Write("migrations/V2__create_orders.sql", "CREATE TABLE orders (id INTEGER PRIMARY KEY);\n");
        temp.Write("tenants.json", """
            [
              {"name": "acme", "engine": "sqlite", "connectionString": "Data Source=dbs/acme.db"},
              {"name": "globex", "engine": "sqlite", "connectionString": "Data Source=dbs/globex.db"}
            ]
            """);
    }

    public void Dispose() => temp.Dispose();

    private Task<CliResult> Run(params string[] args) => CliRunner.RunAsync(temp.Path, args);

    [Fact]
    public async Task History_lists_each_tenants_journal_rows_and_filters_them()
    {
        Assert.Equal(0, (await Run("migrate", "--create", "--tenants", "tenants.json")).ExitCode);
        temp.Write("migrations/V3__broken.sql", "INSERT INTO nowhere VALUES (1);\n");
        Assert.Equal(1, (await Run("migrate", "--create", "--tenants", "tenants.json", "--name", "acme")).ExitCode);

        var all = await Run("history", "--tenants", "tenants.json", "--json");
        var text = await Run("history", "--tenants", "tenants.json", "--tenant", "acme");
        var failed = await Run("history", "--tenants", "tenants.json", "--state", "failed", "--json");
        var version = await Run("history", "--tenants", "tenants.json", "--version", "2", "--json");
        var future = await Run("history", "--tenants", "tenants.json", "--since", "2999-01-01", "--json");

        Assert.True(all.ExitCode == 0, all.ToString());
        var rows = all.Json("history");
        Assert.Equal(["1", "2", "3"], rows.Where(r => r.GetProperty("tenant").GetString() == "acme").Select(r => r.GetProperty("version").GetString()));
        Assert.Equal(["1", "2"], rows.Where(r => r.GetProperty("tenant").GetString() == "globex").Select(r => r.GetProperty("version").GetString()));
        var broken = rows.Single(r => r.GetProperty("version").GetString() == "3");
        Assert.Equal("Failed", broken.GetProperty("state").GetString());
        Assert.Contains("nowhere", broken.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(broken.GetProperty("runId").GetString()));
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Matches(@"(?m)^acme\s+3\s+broken\s+Versioned\s+Failed\s", text.Stdout);
        Assert.DoesNotContain("globex", text.Stdout, StringComparison.Ordinal);
        Assert.Equal(["3"], failed.Json("history").Select(r => r.GetProperty("version").GetString()));
        Assert.Equal(["acme", "globex"], version.Json("history").Select(r => r.GetProperty("tenant").GetString()));

        var runId = broken.GetProperty("runId").GetString()!;
        var byRun = await Run("history", "--tenants", "tenants.json", "--run", runId, "--json");
        Assert.Equal(["3"], byRun.Json("history").Select(r => r.GetProperty("version").GetString()));
        Assert.Empty(future.Json("history"));
    }

    [Fact]
    public async Task History_refuses_a_bad_state_date_or_tenant_naming_the_option()
    {
        var state = await Run("history", "--tenants", "tenants.json", "--state", "bogus");
        var since = await Run("history", "--tenants", "tenants.json", "--since", "yesterday-ish");
        var tenant = await Run("history", "--tenants", "tenants.json", "--tenant", "initech");

        Assert.Equal(2, state.ExitCode);
        Assert.Contains("--state 'bogus'", state.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, since.ExitCode);
        Assert.Contains("--since 'yesterday-ish'", since.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, tenant.ExitCode);
        Assert.Contains("--tenant 'initech'", tenant.Stderr, StringComparison.Ordinal);
    }
}

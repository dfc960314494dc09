using System.Text.Json;
using TenantMigrations.TestSupport;

namespace TenantMigrations.Cli.Tests;

/// <summary>Fleet progress on stderr: "progress" JSON lines with --json, none with --quiet or when stderr is not a terminal.</summary>
public sealed class ProgressCliTests : IDisposable
{
    private readonly TempFolder temp = new();

    public ProgressCliTests()
    {
        temp.Write("migrations/V1__create_users.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY);\n");
        temp.Write("migrations/V2__create_orders.sql", "CREATE TABLE orders (id INTEGER PRIMARY KEY);\n");
        temp.Write("tenants.json", """
            [
              {"name": "acme", "engine": "sqlite", "connectionString": "Data Source=dbs/acme.db"},
              {"name": "globex", "engine": "sqlite", "connectionString": "Data Source=dbs/globex.db"},
              {"name": "initech", "engine": "sqlite", "connectionString": "Data Source=dbs/initech.db"}
            ]
            """);
    }

    public void Dispose() => temp.Dispose();

    private Task<CliResult> Run(params string[] args) => CliRunner.RunAsync(temp.Path, args);

    private static List<JsonElement> ProgressLines(CliResult run) =>
        run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => line.StartsWith('{'))
            .Select(line => JsonDocument.Parse(line).RootElement.Clone())
            .Where(j => j.GetProperty("type").GetString() == "progress")
            .ToList();

    [Fact]
    public async Task Json_mode_writes_progress_lines_to_stderr_ending_with_the_final_figures()
    {
        Directory.CreateDirectory(temp.Combine("dbs"));
        SqliteFile.Execute(temp.Combine("dbs", "globex.db"), "CREATE TABLE orders (x INTEGER)"); // V2 fails on globex only

        var run = await Run("migrate", "--create", "--tenants", "tenants.json", "--json");

        Assert.True(run.ExitCode == 1, run.ToString());
        var progress = ProgressLines(run);
        Assert.NotEmpty(progress);
        var last = progress[^1];
        Assert.True(last.GetProperty("final").GetBoolean(), run.ToString());
        Assert.Equal((3, 3, 1, 0), (last.GetProperty("done").GetInt32(), last.GetProperty("total").GetInt32(), last.GetProperty("failed").GetInt32(), last.GetProperty("inFlight").GetInt32()));
        Assert.Single(progress, p => p.GetProperty("final").GetBoolean());
        Assert.All(progress, p => Assert.InRange(p.GetProperty("done").GetInt32(), 0, 3));
        Assert.Empty(run.Json("progress"));
        Assert.Equal(3, run.Json("result").Count);
    }

    [Fact]
    public async Task Quiet_and_a_redirected_stderr_show_no_progress()
    {
        var quiet = await Run("migrate", "--create", "--tenants", "tenants.json", "--json", "--quiet");
        Assert.True(quiet.ExitCode == 0, quiet.ToString());
        Assert.Empty(ProgressLines(quiet));
        Assert.Single(quiet.Json("summary"));

        var text = await Run("migrate", "--create", "--tenants", "tenants.json");
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.DoesNotContain("in flight", text.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b[K", text.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_closing_summary_names_the_tenants_that_did_not_succeed()
    {
        var names = Enumerable.Range(1, 23).Select(i => $"t{i:00}").ToList();
        temp.Write("many.json", "[" + string.Join(",", names.Select(n => $$"""{"name": "{{n}}", "engine": "sqlite", "connectionString": "Data Source=many/{{n}}.db"}""")) + "]");
        Directory.CreateDirectory(temp.Combine("many"));
        foreach (var name in names.Take(22)) SqliteFile.Execute(temp.Combine("many", name + ".db"), "CREATE TABLE orders (x INTEGER)");

        var run = await Run("migrate", "--create", "--tenants", "many.json");

        Assert.True(run.ExitCode == 1, run.ToString());
        var line = run.Stdout.Split('\n').Single(l => l.StartsWith("Not succeeded: ", StringComparison.Ordinal)).TrimEnd();
        Assert.Equal("Not succeeded: " + string.Join(", ", names.Take(20).Select(n => $"{n} (MigrationFailed)")) + " and 2 more", line);
    }

    [Fact]
    public async Task A_run_in_waves_names_the_current_wave_in_its_progress()
    {
        var run = await Run("migrate", "--create", "--tenants", "tenants.json", "--json", "--waves", "34%,rest");

        Assert.True(run.ExitCode == 0, run.ToString());
        var progress = ProgressLines(run);
        Assert.Equal("rest", progress[^1].GetProperty("wave").GetString());
        Assert.All(progress, p => Assert.Contains(p.GetProperty("wave").GetString(), new[] { "34%", "rest" }));
    }
}

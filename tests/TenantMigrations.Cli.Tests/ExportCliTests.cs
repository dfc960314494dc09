using TenantMigrations.TestSupport;

namespace TenantMigrations.Cli.Tests;

/// <summary>export -o never overwrites a reviewed script by accident: existing files need --force, and nothing is written without it.</summary>
public sealed class ExportCliTests : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task Export_refuses_to_overwrite_without_force_and_writes_nothing()
    {
        temp.Write("migrations/V1__users.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY) -- ends in a comment");
        temp.Write("fleet/acme.db", "");
        temp.Write("fleet/globex.db", "");
        var reviewed = temp.Write("review/acme.sql", "-- reviewed by a DBA\n");

        var refused = await CliRunner.RunAsync(temp.Path, "export", "--sqlite", "fleet/*.db", "--migrations", "migrations", "--output", "review");

        Assert.True(refused.ExitCode == 2, refused.ToString());
        Assert.Contains("acme.sql", refused.Stderr);
        Assert.Contains("--force", refused.Stderr);
        Assert.Equal("-- reviewed by a DBA\n", File.ReadAllText(reviewed));
        Assert.False(File.Exists(temp.Combine("review", "globex.sql")));

        var forced = await CliRunner.RunAsync(temp.Path, "export", "--sqlite", "fleet/*.db", "--migrations", "migrations", "--output", "review", "--force");

        Assert.True(forced.ExitCode == 0, forced.ToString());
        var script = File.ReadAllText(reviewed);
        Assert.Contains("CREATE TABLE users (id INTEGER PRIMARY KEY) -- ends in a comment\n;", script);
        Assert.True(File.Exists(temp.Combine("review", "globex.sql")));
    }
}

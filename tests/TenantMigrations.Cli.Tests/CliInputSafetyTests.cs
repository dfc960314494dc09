using System.CommandLine;
using TenantMigrations.TestSupport;

namespace TenantMigrations.Cli.Tests;

/// <summary>
/// What the CLI refuses before it touches any tenant: option typos, options without values, malformed connection
/// strings (without ever printing a fragment of one), bad tenant names and bad timeouts.
/// </summary>
public sealed class CliInputSafetyTests : IDisposable
{
    private const string Journal = "tenant_migrations_history";
    private const string PasswordStart = "Sup3rSecret";
    private const string PasswordRest = "Fr4gment9x";
    private readonly TempFolder temp = new();

    public CliInputSafetyTests()
    {
        temp.Write("migrations/V1__create_users.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY);\n");
        Directory.CreateDirectory(temp.Combine("fleet"));
        foreach (var tenant in new[] { "alpha", "beta" }) SqliteFile.Execute(Fleet(tenant), "CREATE TABLE keep (x INTEGER)");
    }

    public void Dispose() => temp.Dispose();

    private string Fleet(string tenant) => temp.Combine("fleet", tenant + ".db");

    private Task<CliResult> Run(params string[] args) => CliRunner.RunAsync(temp.Path, args);

    private Dictionary<string, byte[]> Snapshot() =>
        Directory.GetFiles(temp.Combine("fleet")).ToDictionary(f => f, File.ReadAllBytes);

    private void AssertFleetUntouched(Dictionary<string, byte[]> before)
    {
        Assert.Equal(before.Keys.Order(), Directory.GetFiles(temp.Combine("fleet")).Order());
        foreach (var (file, bytes) in before)
        {
            Assert.True(bytes.AsSpan().SequenceEqual(File.ReadAllBytes(file)), $"{file} changed");
            Assert.DoesNotContain(Journal, SqliteFile.Tables(file));
        }
    }

    [Fact]
    public async Task A_typo_of_dry_run_after_a_glob_exits_2_names_the_token_and_migrates_nothing()
    {
        var before = Snapshot();

        var run = await Run("migrate", "--sqlite", "fleet/*.db", "--dryrun");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("'--dryrun'", run.Stderr);
        Assert.Contains("--sqlite", run.Stderr);
        Assert.Contains("did you mean '--dry-run'", run.Stderr);
        Assert.DoesNotContain("succeeded", run.Stdout);
        AssertFleetUntouched(before);
    }

    [Fact]
    public async Task An_option_repeated_without_its_value_exits_2_and_migrates_nothing()
    {
        var before = Snapshot();

        var run = await Run("migrate", "--sqlite", "fleet/*.db", "--migrations", "migrations", "--migrations");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("option '--migrations' needs a value", run.Stderr);
        AssertFleetUntouched(before);
    }

    [Fact]
    public async Task An_option_followed_by_another_option_is_missing_its_value_and_json_mode_says_so_in_json()
    {
        var before = Snapshot();

        var run = await Run("migrate", "--create", "--tenants", "--sqlite", "fleet/*.db", "--json");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("option '--tenants' needs a value before '--sqlite'", run.Stderr);
        var error = Assert.Single(run.Json("error"));
        Assert.Equal("InvalidArgument", error.GetProperty("errorId").GetString());
        AssertFleetUntouched(before);
    }

    [Fact]
    public async Task A_value_starting_with_a_dash_is_refused_and_dot_slash_is_the_way_to_name_such_a_file()
    {
        var refused = await Run("status", "--sqlite", "-odd.db");
        Assert.True(refused.ExitCode == 2, refused.ToString());
        Assert.Contains("'-odd.db'", refused.Stderr);
        Assert.Contains("./-name", refused.Stderr);

        SqliteFile.Execute(temp.Combine("-odd.db"), "CREATE TABLE keep (x INTEGER)");
        var accepted = await Run("status", "--sqlite", "./-odd.db");
        Assert.True(accepted.ExitCode == 0, accepted.ToString());
        Assert.Contains("-odd", accepted.Stdout);
    }

    /// <summary>Every option that takes a value, of every command, checked in-process over the real command tree.</summary>
    public static TheoryData<string, string> ValueOptions()
    {
        var data = new TheoryData<string, string>();
        foreach (var command in CliApp.CreateRootCommand().Subcommands)
        {
            foreach (var option in command.Options.Where(o => o.Arity.MaximumNumberOfValues > 0 && o.ValueType != typeof(bool)))
            {
                data.Add(command.Name, option.Name);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(ValueOptions))]
    public void Every_value_option_of_every_command_needs_a_value_that_is_not_option_like(string command, string option)
    {
        var prefix = command == "new" ? new[] { command, "thing" } : [command, "--sqlite", "fleet/*.db"];
        var root = CliApp.CreateRootCommand();

        var missingAtEnd = OptionValueCheck.Problems(root.Parse([.. prefix, option]));
        var missingBeforeOption = OptionValueCheck.Problems(root.Parse([.. prefix, option, "--json"]));
        var optionLike = OptionValueCheck.Problems(root.Parse([.. prefix, option, "--bogus"]));
        var repeated = OptionValueCheck.Problems(root.Parse([.. prefix, option, "1", option]));

        Assert.Contains(missingAtEnd, p => p.Contains($"'{option}' needs a value", StringComparison.Ordinal));
        Assert.Contains(missingBeforeOption, p => p.Contains(option, StringComparison.Ordinal));
        Assert.Contains(optionLike, p => p.Contains("'--bogus'", StringComparison.Ordinal));
        Assert.Contains(repeated, p => p.Contains($"'{option}' needs a value", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("migrate", "--sqlite", "a/*.db", "b/*.db", "--migrations", "m", "--throttle", "2", "--dry-run", "--json")]
    [InlineData("status", "--sqlite=a/*.db", "--name", "t*", "--command-timeout", "5")]
    [InlineData("migrate", "--create", "--tenants", "./-odd.json", "--lock-timeout", "0")]
    [InlineData("new", "--migrations", "m", "--", "-starts with a dash")]
    public void Well_formed_command_lines_have_no_problem(params string[] args)
    {
        var parsed = CliApp.CreateRootCommand().Parse(args);

        Assert.Empty(parsed.Errors);
        Assert.Empty(OptionValueCheck.Problems(parsed));
    }

    [Fact]
    public async Task A_password_with_an_unquoted_semicolon_is_refused_naming_tenant_file_and_key_without_any_fragment()
    {
        temp.Write("tenants.json", $$"""
            [
              {"name": "alpha", "engine": "sqlite", "connectionString": "Data Source=fleet/alpha.db"},
              {"name": "acme", "engine": "postgres", "connectionString": "Host=127.0.0.1;Username=tm;Password={{PasswordStart}};{{PasswordRest}};Database=acme_db"}
            ]
            """);
        var before = Snapshot();

        foreach (var args in new[] { new[] { "migrate", "--create", "--tenants", "tenants.json" }, ["status", "--tenants", "tenants.json", "--json"] })
        {
            var run = await Run(args);

            Assert.True(run.ExitCode == 2, run.ToString());
            Assert.Contains("tenants.json (tenant 2)", run.Stderr);
            Assert.Contains("tenant 'acme'", run.Stderr);
            Assert.Contains("malformed after 'Password'", run.Stderr);
            foreach (var fragment in new[] { PasswordStart, PasswordRest, "acme_db", "127.0.0.1" })
            {
                Assert.False(run.All.Contains(fragment, StringComparison.Ordinal), $"'{fragment}' printed:\n{run}");
            }
        }
        AssertFleetUntouched(before);
    }

    [Fact]
    public async Task An_unknown_key_in_a_sqlite_connection_string_names_the_tenant_the_file_and_the_key()
    {
        temp.Write("tenants.json", """
            [
              {"name": "alpha", "engine": "sqlite", "connectionString": "Data Source=fleet/alpha.db"},
              {"name": "beta", "engine": "sqlite", "connectionString": "Data Source=fleet/beta.db;Jurnal Mode=wal"}
            ]
            """);
        var before = Snapshot();

        var run = await Run("migrate", "--create", "--tenants", "tenants.json");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("tenants.json (tenant 2)", run.Stderr);
        Assert.Contains("tenant 'beta'", run.Stderr);
        Assert.Contains("unknown key 'Jurnal Mode'", run.Stderr);
        AssertFleetUntouched(before);
    }

    [Theory]
    [InlineData("tab\there", "control character")]
    [InlineData("bell\u0007", "control character")]
    [InlineData("line\nbreak", "control character")]
    public async Task A_tenant_name_with_a_control_character_is_refused_naming_the_file(string name, string expected)
    {
        temp.Write("tenants.json", System.Text.Json.JsonSerializer.Serialize(new[] { new { name, engine = "sqlite", connectionString = "Data Source=fleet/alpha.db" } }));

        var run = await Run("migrate", "--create", "--tenants", "tenants.json");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("tenants.json (tenant 1)", run.Stderr);
        Assert.Contains(expected, run.Stderr);
        Assert.DoesNotContain(Journal, SqliteFile.Tables(Fleet("alpha")));
    }

    [Fact]
    public async Task A_tenant_name_over_200_characters_is_refused_and_200_are_accepted()
    {
        temp.Write("long.csv", $"name,engine,connectionString\n{new string('n', 201)},sqlite,Data Source=fleet/alpha.db\n");
        temp.Write("limit.csv", $"name,engine,connectionString\n{new string('n', 200)},sqlite,Data Source=fleet/alpha.db\n");

        var refused = await Run("migrate", "--create", "--tenants", "long.csv");
        var accepted = await Run("status", "--tenants", "limit.csv");

        Assert.True(refused.ExitCode == 2, refused.ToString());
        Assert.Contains("long.csv (tenant 1)", refused.Stderr);
        Assert.Contains("201 characters; the limit is 200", refused.Stderr);
        Assert.DoesNotContain(Journal, SqliteFile.Tables(Fleet("alpha")));
        Assert.True(accepted.ExitCode == 0, accepted.ToString());
    }

    [Fact]
    public async Task A_json_syntax_error_is_reported_with_a_1_based_line_and_the_file()
    {
        temp.Write("tenants.json", "[\n  {\"name\": \"alpha\",\n   \"engine\": sqlite}\n]\n");

        var run = await Run("status", "--tenants", "tenants.json");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains(temp.Combine("tenants.json"), run.Stderr);
        Assert.Contains("at line 3,", run.Stderr);
        Assert.DoesNotContain("LineNumber: 2", run.Stderr);
    }

    [Fact]
    public async Task Dry_run_json_marks_planned_migrations_planned_not_succeeded()
    {
        var run = await Run("migrate", "--sqlite", "fleet/*.db", "--dry-run", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        var planned = run.Json("result").SelectMany(r => r.GetProperty("planned").EnumerateArray()).ToList();
        Assert.Equal(2, planned.Count);
        Assert.All(planned, p => Assert.Equal("Planned", p.GetProperty("state").GetString()));
        Assert.DoesNotContain(Journal, SqliteFile.Tables(Fleet("alpha")));
    }

    [Theory]
    [InlineData("status", "--connect-timeout", "0")]
    [InlineData("status", "--command-timeout", "-4")]
    [InlineData("migrate", "--connect-timeout", "soon")]
    [InlineData("migrate", "--command-timeout", "0")]
    [InlineData("migrate", "--ddl-lock-timeout", "0")]
    [InlineData("migrate", "--ddl-lock-timeout", "-1")]
    [InlineData("migrate", "--connect-timeout", "99999")]
    public async Task A_timeout_that_is_not_a_positive_number_exits_2_naming_the_option(string command, string option, string value)
    {
        var before = Snapshot();

        var run = await Run(command, "--sqlite", "fleet/*.db", option, value);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains(option, run.Stderr);
        AssertFleetUntouched(before);
    }

    [Fact]
    public async Task Valid_timeouts_are_accepted_by_status_and_migrate()
    {
        var status = await Run("status", "--sqlite", "fleet/*.db", "--connect-timeout", "5", "--command-timeout", "30");
        var migrate = await Run("migrate", "--sqlite", "fleet/*.db", "--connect-timeout", "5", "--command-timeout", "30", "--ddl-lock-timeout", "2.5");

        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.True(migrate.ExitCode == 0, migrate.ToString());
        Assert.Contains(Journal, SqliteFile.Tables(Fleet("alpha")));
    }

    [Fact]
    public async Task Root_help_names_every_engine()
    {
        var run = await Run("--help");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("SQLite", run.Stdout);
        Assert.Contains("PostgreSQL", run.Stdout);
        Assert.Contains("MySQL", run.Stdout);
    }
}

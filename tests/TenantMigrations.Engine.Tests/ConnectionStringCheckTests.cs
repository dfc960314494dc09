using TenantMigrations.Engine.Dialects;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Planning;
using TenantMigrations.Engine.Tenants;
using TenantMigrations.TestSupport;

namespace TenantMigrations.Engine.Tests;

/// <summary>Connection strings are checked with each engine's own builder and described without quoting any value.</summary>
public sealed class ConnectionStringCheckTests : IDisposable
{
    private const string Secret = "Abc9Secret";
    private const string SecretRest = "Xyz7Rest";
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Theory]
    [InlineData(DatabaseEngine.Postgres, "Host=h;Username=u;Password=Abc9Secret;Xyz7Rest;Database=tenant_db", "malformed after 'Password': a value holding ';' must be quoted")]
    [InlineData(DatabaseEngine.Postgres, "Host=h;Password=Abc9Secret;Xyz7Rest=tenant_db", "malformed after 'Password'")]
    [InlineData(DatabaseEngine.MySql, "Server=h;Database=tenant_db;Pwd=Abc9Secret;Xyz7Rest", "malformed after 'Pwd'")]
    [InlineData(DatabaseEngine.Sqlite, "Data Source=a.db;Password=Abc9Secret;Xyz7Rest", "malformed after 'Password'")]
    [InlineData(DatabaseEngine.Postgres, "Host=h;Password='Abc9Secret;Xyz7Rest", "malformed after 'Host'")]
    [InlineData(DatabaseEngine.Sqlite, "Data Source=a.db;Jurnal=Abc9Secret", "unknown key 'Jurnal' (after 'Data Source')")]
    [InlineData(DatabaseEngine.Postgres, "Host=h;Port=Abc9Secret", "the value of 'Port'")]
    [InlineData(DatabaseEngine.MySql, "Server=h;Port=Abc9Secret;Database=x", "the value of 'Port'")]
    [InlineData(DatabaseEngine.Sqlite, "Data Source=a.db;Mode=Abc9Secret", "the value of 'Mode'")]
    [InlineData(DatabaseEngine.Postgres, "Abc9Secret", "malformed at its start")]
    public void A_problem_names_the_key_and_quotes_no_value(DatabaseEngine engine, string connectionString, string expected)
    {
        var problem = ConnectionStringCheck.ProblemOf(engine, connectionString);

        Assert.NotNull(problem);
        Assert.Contains(expected, problem);
        Assert.DoesNotContain(Secret, problem);
        Assert.DoesNotContain(SecretRest, problem);
        Assert.DoesNotContain("tenant_db", problem);
        var error = Assert.Throws<ArgumentException>(() => ConnectionStringCheck.Require(engine, connectionString, "tenant 'acme'"));
        Assert.StartsWith("tenant 'acme': ", error.Message);
    }

    [Theory]
    [InlineData(DatabaseEngine.Postgres, "Host=h;Username=u;Password='Abc9Secret;Xyz7Rest';Database=tenant_db;Timeout=5")]
    [InlineData(DatabaseEngine.Postgres, "Host=h;Password=\"it's;fine\"")]
    [InlineData(DatabaseEngine.MySql, "Server=h;Port=3307;Database=x;User ID=u;Password=p")]
    [InlineData(DatabaseEngine.Sqlite, "Data Source=dbs/a.db;Mode=ReadWriteCreate;Pooling=False")]
    public void Well_formed_strings_pass(DatabaseEngine engine, string connectionString)
    {
        Assert.Null(ConnectionStringCheck.ProblemOf(engine, connectionString));
    }

    [Theory]
    [InlineData("Host=h;Password=Abc9Secret;Xyz7Rest;Database=x")]
    [InlineData("Host=h;Password=Abc9Secret;Xyz7Rest=more;Database=x")]
    public void The_redactor_leaks_no_fragment_of_a_password_with_an_unquoted_semicolon(string connectionString)
    {
        var redacted = ConnectionStringRedactor.Redact(connectionString);
        var text = ConnectionStringRedactor.RedactText($"could not use '{connectionString}'");
        var masked = ConnectionStringRedactor.RedactText($"{connectionString} / Xyz7Rest", ConnectionStringRedactor.SecretsOf(connectionString));

        foreach (var output in new[] { redacted, text, masked })
        {
            Assert.DoesNotContain(Secret, output);
            Assert.DoesNotContain(SecretRest, output);
        }
        Assert.Contains("Host=h", text);
    }

    [Fact]
    public void A_tenants_file_fails_at_load_naming_the_file_and_the_tenant()
    {
        var path = folder.Write("tenants.json", $$"""
            [
              {"name": "good", "engine": "sqlite", "connectionString": "Data Source=good.db"},
              {"name": "acme", "engine": "postgres", "connectionString": "Host=h;Password={{Secret}};{{SecretRest}};Database=x"}
            ]
            """);

        var error = Assert.Throws<TenantSourceException>(() => TenantSources.FromFile(path));

        Assert.Contains($"{path} (tenant 2)", error.Message);
        Assert.Contains("tenant 'acme'", error.Message);
        Assert.Contains("malformed after 'Password'", error.Message);
        Assert.DoesNotContain(Secret, error.Message);
        Assert.DoesNotContain(SecretRest, error.Message);
    }

    [Fact]
    public async Task A_piped_tenant_with_a_malformed_string_is_invalid_alone_and_the_others_run()
    {
        folder.Write("migrations/V1__a.sql", "CREATE TABLE a (id INTEGER);");
        var set = MigrationSet.Load(folder.Combine("migrations"));
        var good = new Tenant { Name = "good", Engine = DatabaseEngine.Sqlite, ConnectionString = $"Data Source={folder.Combine("good.db")};Pooling=False" };
        var bad = new Tenant { Name = "acme", Engine = DatabaseEngine.Postgres, ConnectionString = $"Host=127.0.0.1;Password={Secret};{SecretRest};Database=x" };
        var sink = new RecordingSink();

        var summary = await new FleetMigrator().MigrateAsync([good, bad], set, new MigrateOptions { CreateMissing = true }, sink);
        var statuses = await new FleetMigrator().GetStatusAsync([good, bad], set, new PlanOptions());

        var results = sink.Events.OfType<TenantFinished>().Select(f => f.Result).ToDictionary(r => r.TenantName);
        Assert.Equal(TenantState.UpToDate, results["good"].StateAfter);
        Assert.Equal(TenantState.Invalid, results["acme"].StateAfter);
        Assert.Equal(1, summary.Succeeded);
        var status = statuses.Single(s => s.TenantName == "acme");
        Assert.Equal(TenantState.Invalid, status.State);
        foreach (var message in new[] { results["acme"].Error?.Message, status.Message })
        {
            Assert.NotNull(message);
            Assert.Contains("Tenant 'acme'", message);
            Assert.Contains("malformed after 'Password'", message);
            Assert.DoesNotContain(Secret, message);
            Assert.DoesNotContain(SecretRest, message);
        }
    }

    [Fact]
    public void Every_dialect_validates_with_the_check()
    {
        var dialects = DialectRegistry.CreateDefault();
        var cases = new (DatabaseEngine Engine, string ConnectionString)[]
        {
            (DatabaseEngine.Postgres, $"Host=h;Password={Secret};{SecretRest}"),
            (DatabaseEngine.MySql, $"Server=h;Database=x;Password={Secret};{SecretRest}"),
            (DatabaseEngine.Sqlite, $"Data Source=a.db;Password={Secret};{SecretRest}"),
        };
        foreach (var (engine, connectionString) in cases)
        {
            var tenant = new Tenant { Name = "acme", Engine = engine, ConnectionString = connectionString };
            var error = Assert.Throws<ArgumentException>(() => dialects.For(engine).Validate(tenant));
            Assert.Contains("malformed after 'Password'", error.Message);
            Assert.DoesNotContain(SecretRest, error.Message);
        }
    }

    [Fact]
    public void A_dialect_checks_a_shared_string_once_and_names_each_tenant_in_its_own_error()
    {
        var dialect = DialectRegistry.CreateDefault().For(DatabaseEngine.Postgres);
        var shared = $"Host=h;Password={Secret};{SecretRest}";
        foreach (var name in new[] { "acme", "globex", "acme" })
        {
            var error = Assert.Throws<ArgumentException>(() => dialect.Validate(new Tenant { Name = name, Engine = DatabaseEngine.Postgres, ConnectionString = shared, Schema = name }));
            Assert.StartsWith($"Tenant '{name}': ", error.Message);
            Assert.Contains("malformed after 'Password'", error.Message);
            Assert.DoesNotContain(SecretRest, error.Message);
        }
        var good = "Host=h;Username=u;Database=d";
        foreach (var name in new[] { "initech", "umbrella" })
        {
            dialect.Validate(new Tenant { Name = name, Engine = DatabaseEngine.Postgres, ConnectionString = good, Schema = name });
        }
        var badSchema = Assert.ThrowsAny<Exception>(() => dialect.Validate(new Tenant { Name = "bad", Engine = DatabaseEngine.Postgres, ConnectionString = good, Schema = "bad\"schema" }));
        Assert.Contains("bad", badSchema.Message);
    }
}

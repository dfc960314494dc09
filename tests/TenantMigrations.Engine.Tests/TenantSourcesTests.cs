using Microsoft.Data.Sqlite;
using TenantMigrations.Engine.Dialects.Sqlite;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Planning;
using TenantMigrations.Engine.Tenants;
using TenantMigrations.TestSupport;

namespace TenantMigrations.Engine.Tests;

public sealed class TenantSourcesTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Json_file_reads_tenants_with_tags_properties_and_relative_sqlite_paths()
    {
        var path = folder.Write("fleet/tenants.json", """
            { "tenants": [
              { "name": "acme", "engine": "sqlite", "connectionString": "Data Source=data/acme.db", "tags": ["eu", "gold"], "properties": { "plan": "gold" }, "region": "west" },
              { "name": "globex", "engine": "postgres", "connectionString": "Host=db;Username=u;Password=s3cret-pw", "schema": "tenant_globex" }
            ] }
            """);

        var tenants = TenantSources.FromFile(path);

        Assert.Equal(["acme", "globex"], tenants.Select(t => t.Name));
        Assert.Equal(["eu", "gold"], tenants[0].Tags);
        Assert.Equal(("gold", "west"), (tenants[0].Properties["plan"], tenants[0].Properties["region"]));
        Assert.Equal(folder.Combine("fleet", "data", "acme.db"), new SqliteConnectionStringBuilder(tenants[0].GetConnectionString()).DataSource);
        Assert.Equal((DatabaseEngine.Postgres, "tenant_globex"), (tenants[1].Engine, tenants[1].Schema));
        Assert.DoesNotContain("s3cret-pw", tenants[1].ConnectionString);
        Assert.Contains("s3cret-pw", tenants[1].GetConnectionString());
    }

    [Fact]
    public void A_connection_string_checked_by_its_source_is_checked_again_once_it_or_the_engine_changes()
    {
        var dialects = Dialects.DialectRegistry.CreateDefault();
        string? ProblemOf(Tenant tenant) => TenantChecks.Problem(dialects.For(tenant.Engine), tenant, forReading: true);
        Tenant Row(string connectionString) =>
            TenantSources.FromRow(new Dictionary<string, string?> { ["name"] = "acme", ["engine"] = "mysql", ["connectionString"] = connectionString }, "test");

        var tenant = Row("Server=db;User ID=u;Password=pw-1;Database=acme");
        Assert.Null(ProblemOf(tenant));

        tenant.ConnectionString = "Server=db;User ID=u;Password=pw-1;Database=acme;Bogus=1";
        Assert.Contains("unknown key 'Bogus'", ProblemOf(tenant));

        // The same string: a MySQL key that PostgreSQL does not know, once the engine changes.
        var moved = Row("Server=db;User ID=u;Password=pw-1;Database=acme;Allow Public Key Retrieval=true");
        Assert.Null(ProblemOf(moved));
        moved.Engine = DatabaseEngine.Postgres;
        Assert.Contains("unknown key 'Allow Public Key Retrieval'", ProblemOf(moved));

        var renamed = Row("Server=db;User ID=u;Password=pw-1;Database=acme").WithCredential("other", "pw;2");
        Assert.Null(ProblemOf(renamed));
        Assert.DoesNotContain("pw;2", renamed.ConnectionString);
    }

    [Fact]
    public void Csv_file_reads_quoted_fields_and_extra_columns_as_properties()
    {
        var path = folder.Write("tenants.csv", "name,engine,connectionString,schema,tags,plan\nacme,postgres,\"Host=db;Database=app\",tenant_acme,eu;gold,gold\n");

        var tenant = TenantSources.FromFile(path).Single();

        Assert.Equal(("acme", "Host=db;Database=app", "tenant_acme", "gold"), (tenant.Name, tenant.GetConnectionString(), tenant.Schema, tenant.Properties["plan"]));
        Assert.Equal(["eu", "gold"], tenant.Tags);
    }

    [Theory]
    [InlineData("tenants.json", "[{\"engine\": \"sqlite\", \"connectionString\": \"Data Source=x.db\"}]", "has no 'name'")]
    [InlineData("tenants.json", "[{\"name\": \"a\", \"engine\": \"oracle\", \"connectionString\": \"x\"}]", "unknown engine 'oracle'")]
    [InlineData("tenants.json", "{ not json", "not valid JSON")]
    [InlineData("tenants.csv", "name,engine,connectionString\na,sqlite", "line 2 has 2 fields")]
    [InlineData("tenants.txt", "a", "must be .json or .csv")]
    public void Bad_tenant_files_name_the_file_and_the_problem(string name, string content, string problem)
    {
        var path = folder.Write(name, content);
        var error = Assert.Throws<TenantSourceException>(() => TenantSources.FromFile(path));
        Assert.Contains(path, error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void Sqlite_glob_finds_files_and_a_plain_path_finds_that_file()
    {
        folder.Write("tenants/alpha.db", "");
        folder.Write("tenants/beta.db", "");
        folder.Write("tenants/notes.txt", "");

        Assert.Equal(["alpha", "beta"], TenantSources.FromSqliteGlob(folder.Combine("tenants", "*.db")).Select(t => t.Name));
        Assert.Equal(["beta"], TenantSources.FromSqliteGlob(folder.Combine("tenants", "beta.db")).Select(t => t.Name));
        Assert.Empty(TenantSources.FromSqliteGlob(folder.Combine("nowhere", "*.db")));
    }

    [Fact]
    public void Sqlite_glob_matches_the_same_files_in_one_folder_and_across_folders_and_writes_each_path_as_the_builder_does()
    {
        folder.Write("fleet one/a;b.db", "");
        folder.Write("fleet one/c=d.db", "");
        folder.Write("fleet one/plain.db", "");
        folder.Write("fleet one/.hidden.db", "");
        folder.Write("fleet one/plain.db-journal", "");
        folder.Write("fleet one/sub/deep.db", "");
        folder.Write("fleet two/other.db", "");

        var inFolder = TenantSources.FromSqliteGlob(folder.Combine("fleet one", "*.db"));
        var acrossFolders = TenantSources.FromSqliteGlob(folder.Combine("fleet *", "*.db"));

        Assert.Equal([".hidden", "a;b", "c=d", "plain"], inFolder.Select(t => t.Name));
        Assert.Equal([".hidden", "a;b", "c=d", "plain", "other"], acrossFolders.Select(t => t.Name));
        Assert.Equal([".hidden", "a;b", "c=d", "plain", "deep"], TenantSources.FromSqliteGlob(folder.Combine("fleet one", "**")).Select(t => t.Name));
        foreach (var tenant in inFolder.Concat(acrossFolders))
        {
            var path = SqliteDialect.DatabasePath(tenant);
            Assert.True(File.Exists(path), path);
            Assert.Equal(new SqliteConnectionStringBuilder { DataSource = path }.ConnectionString, tenant.ConnectionString);
        }
        foreach (var path in new[] { "/srv/tenants/t_00001.db", "C:\\tenants\\acme.db", "/srv/ünïcode/ß.db", "/srv/a b.db", "/srv/tab\tname.db", "/srv/'quoted'.db" })
        {
            Assert.Equal(new SqliteConnectionStringBuilder { DataSource = path }.ConnectionString, TenantSources.DataSourceOf(path));
        }
    }

    [Fact]
    public async Task Catalog_query_returns_tenants_from_rows()
    {
        var catalog = folder.Combine("catalog.db");
        await using (var connection = new SqliteConnection($"Data Source={catalog};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = """
                CREATE TABLE customers (slug TEXT, db_file TEXT, tier TEXT, active INTEGER);
                INSERT INTO customers VALUES ('acme', 'acme.db', 'gold', 1), ('gone', 'gone.db', 'free', 0), ('globex', 'globex.db', 'silver', 1);
                """;
            await command.ExecuteNonQueryAsync();
        }

        var tenants = await TenantSources.FromCatalogQueryAsync(DatabaseEngine.Sqlite, $"Data Source={catalog}",
            "SELECT slug AS name, 'sqlite' AS engine, 'Data Source=' || db_file AS connectionString, tier FROM customers WHERE active = 1 ORDER BY slug");

        Assert.Equal(["acme", "globex"], tenants.Select(t => t.Name));
        Assert.Equal("silver", tenants[1].Properties["tier"]);
        await Assert.ThrowsAsync<TenantSourceException>(() => TenantSources.FromCatalogQueryAsync(DatabaseEngine.Sqlite, $"Data Source={catalog}", "SELECT * FROM no_such_table"));
    }

    [Fact]
    public async Task Export_reports_invalid_tenants_and_rejects_duplicate_names()
    {
        folder.Write("migrations/V1__a.sql", "CREATE TABLE a (id INTEGER);");
        var set = MigrationSet.Load(folder.Combine("migrations"));
        var migrator = new FleetMigrator();
        var invalid = new Tenant { Name = "evil", Engine = DatabaseEngine.Postgres, ConnectionString = "Host=127.0.0.1", Schema = "a\"b" };

        var export = (await migrator.ExportAsync([invalid], set, new PlanOptions())).Single();

        Assert.Equal(TenantState.Invalid, export.State);
        Assert.Contains("cannot be used", export.Problem);
        var twin = new Tenant { Name = "EVIL", Engine = DatabaseEngine.Sqlite, ConnectionString = "Data Source=x.db" };
        await Assert.ThrowsAsync<ArgumentException>(() => migrator.ExportAsync([invalid, twin], set, new PlanOptions()));
    }

    [Theory]
    [InlineData("a\u0001b", "control character")]
    [InlineData("tab\tname", "control character")]
    [InlineData("del\u007f", "control character")]
    public void Tenant_names_with_control_characters_are_refused_naming_the_source(string name, string problem)
    {
        var row = new Dictionary<string, string?> { ["name"] = name, ["engine"] = "sqlite", ["connectionString"] = "Data Source=x.db" };

        var error = Assert.Throws<TenantSourceException>(() => TenantSources.FromRow(row, "catalog query row 7"));

        Assert.StartsWith("catalog query row 7: ", error.Message);
        Assert.Contains(problem, error.Message);
        Assert.DoesNotContain(name, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tenant_names_over_200_characters_are_refused_and_200_are_accepted()
    {
        Dictionary<string, string?> Row(int length) => new() { ["name"] = new string('x', length), ["connectionString"] = "Data Source=x.db" };

        var error = Assert.Throws<TenantSourceException>(() => TenantSources.FromRow(Row(201), "tenants.csv (tenant 4)"));

        Assert.Contains("tenants.csv (tenant 4)", error.Message);
        Assert.Contains("201 characters; the limit is 200", error.Message);
        Assert.Equal(200, TenantSources.FromRow(Row(200), "tenants.csv (tenant 5)").Name.Length);
    }

    [Fact]
    public void A_sqlite_file_whose_name_holds_a_control_character_is_refused_naming_the_glob()
    {
        folder.Write("fleet/good.db", "");
        folder.Write("fleet/bad\u0002name.db", "");

        var error = Assert.Throws<TenantSourceException>(() => TenantSources.FromSqliteGlob(folder.Combine("fleet", "*.db")));

        Assert.Contains("--sqlite", error.Message);
        Assert.Contains("bad\\u0002name", error.Message);
    }

    [Fact]
    public void A_json_syntax_error_gives_a_1_based_line_and_column()
    {
        var path = folder.Write("tenants.json", "[\n  {\"name\": \"a\",\n   \"engine\": sqlite}\n]\n");

        var error = Assert.Throws<TenantSourceException>(() => TenantSources.FromFile(path));

        Assert.StartsWith(path + ": ", error.Message);
        Assert.Contains("not valid JSON at line 3, column 14", error.Message);
        Assert.DoesNotContain("LineNumber", error.Message);
    }

    [Fact]
    public async Task Schema_discovery_retries_an_unreachable_server_then_reports_it_unreachable()
    {
        var connection = $"Host=127.0.0.1;Port={PostgresServer.FreePort()};Username=u;Password=Unreach4ble;Timeout=5";
        var retries = new List<string>();

        var error = await Assert.ThrowsAsync<TenantSourceUnreachableException>(() => TenantSources.FromPostgresSchemasAsync(connection, "tenant_%", onRetry: retries.Add));

        Assert.Equal(TenantSourceRetry.MaxAttempts - 1, retries.Count);
        Assert.Contains("unreachable after 4 attempts", error.Message);
        Assert.DoesNotContain("Unreach4ble", error.Message + string.Concat(retries));
    }

    [Fact]
    public async Task A_catalog_query_against_an_unreachable_server_is_retried_then_reported_unreachable()
    {
        var connection = $"Host=127.0.0.1;Port={PostgresServer.FreePort()};Username=u;Password=Unreach4ble;Database=catalog";
        var retries = new List<string>();

        var error = await Assert.ThrowsAsync<TenantSourceUnreachableException>(() =>
            TenantSources.FromCatalogQueryAsync(DatabaseEngine.Postgres, connection, "SELECT name FROM tenants", onRetry: retries.Add));

        Assert.Equal(TenantSourceRetry.MaxAttempts - 1, retries.Count);
        Assert.StartsWith("catalog query: ", error.Message);
        Assert.DoesNotContain("Unreach4ble", error.Message + string.Concat(retries));
    }
}

using System.Collections;
using TenantMigrations.Engine.Commands;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Tenants;
using TenantMigrations.TestSupport;

namespace TenantMigrations.Module.Tests;

/// <summary>Pipeline input, tenant filters, defaults, completion and New-TenantMigration's files.</summary>
public sealed class InputAndScaffoldingTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void An_Import_Csv_row_becomes_a_tenant_with_its_extra_columns_as_properties()
    {
        var row = new Dictionary<string, object?> { ["Name"] = "acme", ["Engine"] = "sqlite", ["ConnectionString"] = "Data Source=data/acme.db", ["Schema"] = "", ["Tags"] = "eu,prod", ["region"] = "west" };

        var tenant = TenantInput.FromProperties(row, folder.Path);

        Assert.Equal("acme", tenant.Name);
        Assert.Equal(DatabaseEngine.Sqlite, tenant.Engine);
        Assert.Equal(Path.Combine(folder.Path, "data", "acme.db"), new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(tenant.GetConnectionString()).DataSource);
        Assert.Equal(["eu", "prod"], tenant.Tags);
        Assert.Equal("west", tenant.Properties["region"]);
        Assert.Null(tenant.Schema);
    }

    [Fact]
    public void Objects_that_carry_a_tenant_give_that_tenant()
    {
        var tenant = new Tenant { Name = "acme" };

        Assert.Same(tenant, TenantInput.FromObject(new TenantMigrationStatus { Tenant = tenant }, folder.Path));
        Assert.Same(tenant, TenantInput.FromObject(new TenantMigrationResult { Tenant = tenant }, folder.Path));
        Assert.Same(tenant, TenantInput.FromObject(tenant, folder.Path));
        Assert.Same(tenant, TenantInput.FromProperties([new("Tenant", tenant), new("State", "Pending")], folder.Path));
    }

    [Fact]
    public void A_hashtable_is_a_tenant_and_a_string_is_not()
    {
        var tenant = TenantInput.FromObject(new Hashtable { ["name"] = "pg1", ["engine"] = "postgres", ["connectionString"] = "Host=db;Password=hunter22", ["schema"] = "t1" }, folder.Path);

        Assert.Equal(DatabaseEngine.Postgres, tenant.Engine);
        Assert.DoesNotContain("hunter22", tenant.ConnectionString, StringComparison.Ordinal);
        Assert.Throws<TenantSourceException>(() => TenantInput.FromObject("acme", folder.Path));
        Assert.Throws<TenantSourceException>(() => TenantInput.FromProperties([new("Name", "x")], folder.Path));
    }

    [Fact]
    public void New_TenantObject_merges_the_credential_without_showing_it()
    {
        var tenant = TenantInput.Create("pg1", DatabaseEngine.Postgres, "Host=db;Database=app", "t1", ["eu"], new Dictionary<string, string>(), "migrator", "s3cret!", folder.Path);

        Assert.Contains("s3cret!", tenant.GetConnectionString(), StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret!", tenant.ConnectionString, StringComparison.Ordinal);
        Assert.Contains("migrator", tenant.ConnectionString, StringComparison.Ordinal);
        var sqlite = TenantInput.Create("s", DatabaseEngine.Sqlite, "Data Source=s.db", null, [], new Dictionary<string, string>(), "ignored", "ignored", folder.Path);
        Assert.DoesNotContain("ignored", sqlite.GetConnectionString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("acme*", "acme-eu", true)]
    [InlineData("ACME", "acme", true)]
    [InlineData("t?", "t1", true)]
    [InlineData("t[0-4]", "t5", false)]
    [InlineData("a`*", "a*", true)]
    [InlineData("a`*", "ab", false)]
    [InlineData("glo.ex", "globex", false)]
    public void Wildcards_match_like_PowerShell(string pattern, string text, bool expected) => Assert.Equal(expected, Wildcard.IsMatch(pattern, text));

    [Fact]
    public async Task A_query_filters_a_tenants_file_by_name_and_tag()
    {
        var file = folder.Write("tenants.json", """
            [ { "name": "acme", "connectionString": "Data Source=acme.db", "tags": ["eu"] },
              { "name": "globex", "connectionString": "Data Source=globex.db", "tags": "us" },
              { "name": "initech", "connectionString": "Data Source=initech.db", "tags": ["eu", "prod"] } ]
            """);

        var byTag = await new TenantQuery { Source = TenantSourceKind.File, Location = file, Tags = ["EU"] }.RunAsync(folder.Path);
        var byName = await new TenantQuery { Source = TenantSourceKind.File, Location = "tenants.json", Names = ["g*", "initech"] }.RunAsync(folder.Path);

        Assert.Equal(["acme", "initech"], byTag.Select(t => t.Name));
        Assert.Equal(["globex", "initech"], byName.Select(t => t.Name));
    }

    [Fact]
    public void The_default_migrations_folder_is_the_settings_folder_then_migrations_then_the_current_folder()
    {
        Assert.Equal(folder.Path, MigrationFolders.Resolve(null, folder.Path));
        Directory.CreateDirectory(folder.Combine("migrations"));
        Assert.Equal(folder.Combine("migrations"), MigrationFolders.Resolve(null, folder.Path));
        folder.Write(MigrationSettings.FileName, "{}");
        Assert.Equal(folder.Path, MigrationFolders.Resolve(null, folder.Path));
        Assert.Equal(folder.Combine("other"), MigrationFolders.Resolve("other", folder.Path));
    }

    [Fact]
    public void An_invalid_folder_is_a_terminating_InvalidMigrationFolder()
    {
        folder.Write("migrations/V1__ok.sql", "SELECT 1;");
        folder.Write("migrations/Vx__bad.sql", "SELECT 1;");

        var error = Assert.Throws<CommandTerminatingException>(() => MigrationFolders.Load("migrations", folder.Path)).Error;

        Assert.Equal(CommandErrorIds.InvalidMigrationFolder, error.ErrorId);
        Assert.Equal("InvalidData", error.Category);
    }

    [Fact]
    public void Without_tenants_file_the_default_tenants_are_a_NoTenants_error()
    {
        Assert.Equal(CommandErrorIds.NoTenants, Assert.Throws<CommandTerminatingException>(() => MigrationFolders.DefaultTenants(folder.Path)).Error.ErrorId);
        folder.Write("tenants.csv", "name,engine,connectionString\nacme,sqlite,Data Source=acme.db\n");
        Assert.Equal("acme", Assert.Single(MigrationFolders.DefaultTenants(folder.Path)).Name);
    }

    [Fact]
    public void New_migrations_are_valid_timestamped_files_with_optional_variants_and_undo()
    {
        var now = new DateTime(2026, 11, 21, 9, 30, 0, DateTimeKind.Utc);

        var plain = MigrationScaffolder.Create(folder.Combine("migrations"), "Add orders table!", [], withUndo: false, now);
        var variants = MigrationScaffolder.Create(folder.Combine("migrations"), "index orders", [DatabaseEngine.Postgres, DatabaseEngine.Sqlite], withUndo: true, now.AddSeconds(1));

        Assert.Equal("V20261121093000__add_orders_table.sql", Path.GetFileName(Assert.Single(plain)));
        Assert.Equal(
            ["U20261121093001__index_orders.postgres.sql", "U20261121093001__index_orders.sqlite.sql", "V20261121093001__index_orders.postgres.sql", "V20261121093001__index_orders.sqlite.sql"],
            variants.Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var empty = Assert.Throws<MigrationSetException>(() => MigrationSet.Load(folder.Combine("migrations")));
        Assert.Equal(5, empty.Problems.Count);
        Assert.All(empty.Problems, p => Assert.Contains("empty migration: the file holds only comments", p.Message));
        Assert.Contains("the folder will not load while this file is empty", File.ReadAllText(plain[0]));
        foreach (var path in plain.Concat(variants)) File.AppendAllText(path, "SELECT 1;\n");
        var set = MigrationSet.Load(folder.Combine("migrations"));
        Assert.Equal(2, set.Versioned.Count);
        Assert.Single(set.Undo);
        Assert.Throws<ArgumentException>(() => MigrationScaffolder.Create(folder.Combine("migrations"), "!!!", [], false, now.AddSeconds(5)));
    }

    // Generous budgets: these check what completion offers; a cold first call on a busy machine may take longer than
    // the interactive 100 ms budget, after which completion gives up on purpose.
    private static readonly TimeSpan Plenty = TimeSpan.FromSeconds(30);

    [Fact]
    public void Completion_offers_versions_and_tenant_names_and_never_throws()
    {
        folder.Write("migrations/V1__init.sql", "SELECT 1;");
        folder.Write("migrations/V1.1__more.sql", "SELECT 1;");
        folder.Write("migrations/V2__last.sql", "SELECT 1;");
        folder.Write("migrations/not_a_migration.sql", "SELECT 1;");
        folder.Write("data/acme.db", "");
        folder.Write("data/globex.db", "");

        Assert.Equal(["1", "1.1", "2"], Completions.Versions(folder.Combine("migrations"), "", Plenty).Select(v => v.Version));
        Assert.Equal(["1", "1.1"], Completions.Versions(folder.Combine("migrations"), "1", Plenty).Select(v => v.Version));
        Assert.Equal("more", Completions.Versions(folder.Combine("migrations"), "1.1", Plenty).Single().Description);
        Assert.Empty(Completions.Versions(folder.Combine("nowhere"), "", Plenty));
        Assert.Equal(["globex"], Completions.TenantNames(null, [folder.Combine("data/acme.db"), folder.Combine("data/globex.db")], folder.Path, "g", Plenty));
        Assert.Empty(Completions.TenantNames("missing.json", null, folder.Path, "", Plenty));
    }

    [Fact]
    public void Version_completion_reads_only_the_folder_itself_never_its_subfolders()
    {
        folder.Write("V1__top.sql", "SELECT 1;");
        folder.Write("deep/er/V7__elsewhere.sql", "SELECT 1;");

        Assert.Equal(["1"], Completions.Versions(folder.Path, "", Plenty).Select(v => v.Version));
    }

    [Fact]
    public void Tenant_name_completion_reads_the_tenants_file_relative_to_the_given_location()
    {
        folder.Write("fleet/tenants.json", """[ { "name": "acme", "connectionString": "Data Source=a.db" }, { "name": "globex", "connectionString": "Data Source=g.db" } ]""");

        Assert.Equal(["acme", "globex"], Completions.TenantNames("tenants.json", null, folder.Combine("fleet"), "", Plenty));
        Assert.Equal(["acme", "globex"], Completions.TenantNames(null, null, folder.Combine("fleet"), "", Plenty));
        Assert.Empty(Completions.TenantNames("tenants.json", null, folder.Path, "", Plenty));
    }

    [Fact]
    public void A_second_scaffold_in_the_same_second_takes_the_next_free_version()
    {
        var now = new DateTime(2026, 11, 21, 9, 30, 0, DateTimeKind.Utc);
        var migrations = folder.Combine("migrations");

        var first = MigrationScaffolder.Create(migrations, "add orders", [], withUndo: false, now);
        var second = MigrationScaffolder.Create(migrations, "add invoices", [], withUndo: true, now);
        var third = MigrationScaffolder.Create(migrations, "add refunds", [], withUndo: false, now);

        Assert.Equal("V20261121093000__add_orders.sql", Path.GetFileName(Assert.Single(first)));
        Assert.Equal(["U20261121093001__add_invoices.sql", "V20261121093001__add_invoices.sql"], second.Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal("V20261121093002__add_refunds.sql", Path.GetFileName(Assert.Single(third)));
        foreach (var file in first.Concat(second).Concat(third)) File.AppendAllText(file, "SELECT 1;\n");
        Assert.Equal(3, MigrationSet.Load(migrations).Versioned.Count);
    }

    [Theory]
    [InlineData("Größe der Bestellung ändern", "groesse_der_bestellung_aendern")]
    [InlineData("Café crème", "cafe_creme")]
    [InlineData("Ørsted façade", "orsted_facade")]
    [InlineData("Заказы клиентов", "заказы_клиентов")]
    [InlineData("Add orders table!", "add_orders_table")]
    public void Scaffold_names_keep_their_letters(string description, string slug) => Assert.Equal(slug, MigrationScaffolder.Slug(description));

    [Fact]
    public void A_scaffold_with_a_non_ASCII_name_is_a_valid_migration()
    {
        var files = MigrationScaffolder.Create(folder.Combine("migrations"), "Kundenänderung", [], false, DateTime.UtcNow);

        Assert.EndsWith("__kundenaenderung.sql", Assert.Single(files), StringComparison.Ordinal);
        File.AppendAllText(files[0], "SELECT 1;\n");
        Assert.Equal("kundenaenderung", Assert.Single(MigrationSet.Load(folder.Combine("migrations")).Versioned).Description);
    }

    [Fact]
    public void Relative_sqlite_paths_resolve_against_the_tenants_file_or_else_the_given_location()
    {
        var file = folder.Write("fleet/tenants.csv", "name,engine,connectionString\nacme,sqlite,Data Source=data/acme.db\n");
        var location = folder.Combine("elsewhere");

        var fromFile = Assert.Single(TenantSources.FromFile(file));
        var fromRow = TenantInput.FromProperties([new("Name", "acme"), new("Engine", "sqlite"), new("ConnectionString", "Data Source=data/acme.db")], location);
        var scripted = TenantInput.FromObject(new Tenant { Name = "acme", Engine = DatabaseEngine.Sqlite, ConnectionString = "Data Source=data/acme.db" }, location);
        var absolute = new Tenant { Name = "abs", Engine = DatabaseEngine.Sqlite, ConnectionString = $"Data Source={folder.Combine("abs.db")}" };

        Assert.Equal(folder.Combine("fleet", "data", "acme.db"), DataSource(fromFile));
        Assert.Equal(Path.Combine(location, "data", "acme.db"), DataSource(fromRow));
        Assert.Equal(Path.Combine(location, "data", "acme.db"), DataSource(scripted));
        Assert.Same(absolute, TenantInput.FromObject(absolute, location));
    }

    [Fact]
    public async Task Sqlite_files_resolved_by_the_host_become_tenants_named_after_the_files()
    {
        var files = new[] { folder.Write("data/t01.db", ""), folder.Write("data/t[02].db", ""), folder.Write("data/other.sqlite", "") };

        var tenants = await new TenantQuery { Source = TenantSourceKind.SqliteFiles, Location = "./data/t*", SqliteFiles = files, Names = ["t*"] }.RunAsync(folder.Path);

        Assert.Equal(["t01", "t[02]"], tenants.Select(t => t.Name));
        Assert.Equal(files[1], DataSource(tenants[1]));
        Assert.All(tenants, t => Assert.Equal("./data/t*", t.Source));
        Assert.Empty(await new TenantQuery { Source = TenantSourceKind.SqliteFiles, Location = "./none/*.db" }.RunAsync(folder.Path));
    }

    private static string DataSource(Tenant tenant) => new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(tenant.GetConnectionString()).DataSource;
}

using Npgsql;
using TenantMigrations.Engine.Execution;
using TenantMigrations.TestSupport;
using static TenantMigrations.Engine.Tests.Provisioning.ProvisioningRuns;

namespace TenantMigrations.Engine.Tests.Provisioning;

/// <summary>Provisioning on a real PostgreSQL: schema per tenant and database per tenant, plain and from a template.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresProvisioningTests(PostgresFixture postgres) : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    private static Tenant Schema(string connection, string schema) => new() { Name = schema, Engine = DatabaseEngine.Postgres, ConnectionString = connection, Schema = schema };

    private Tenant Database(string database) => new() { Name = database, Engine = DatabaseEngine.Postgres, ConnectionString = postgres.Server.ConnectionStringFor(database) };

    private static string Unique(string prefix) => $"{prefix}_{Guid.NewGuid().ToString("N")[..8]}";

    [Fact]
    public async Task Migrate_reports_a_missing_schema_as_TenantNotFound_and_creates_nothing()
    {
        var connection = await postgres.NewDatabaseAsync();
        var migrations = WriteMigrations(folder, "migrations", 2);

        var result = await MigrateAsync(Schema(connection, "tenant_missing"), migrations);

        Assert.Equal(TenantState.Invalid, result.StateAfter);
        Assert.Equal(ErrorIds.TenantNotFound, result.Error?.ErrorId);
        Assert.Equal("tenant 'tenant_missing': schema 'tenant_missing' not found; use New-Tenant or --create.", result.Error?.Message);
        Assert.Equal("0", await postgres.Server.ExecuteAsync("SELECT count(*) FROM pg_namespace WHERE nspname = 'tenant_missing'", Name(connection)));
    }

    [Fact]
    public async Task Migrate_with_create_and_provision_create_the_schema()
    {
        var connection = await postgres.NewDatabaseAsync();
        var migrations = WriteMigrations(folder, "migrations", 2);

        var created = await MigrateAsync(Schema(connection, "tenant_a"), migrations, create: true);
        var (provisioned, _) = await ProvisionAsync([Schema(connection, "tenant_a"), Schema(connection, "tenant_b")], migrations);

        Assert.True(created.Succeeded, created.Error?.Message);
        Assert.True(created.Created);
        var existing = provisioned.Single(r => r.TenantName == "tenant_a");
        Assert.False(existing.Created);
        Assert.Equal(TenantState.UpToDate, existing.StateAfter);
        var fresh = provisioned.Single(r => r.TenantName == "tenant_b");
        Assert.True(fresh.Succeeded, fresh.Error?.Message);
        Assert.True(fresh.Created);
        Assert.Equal("2", await postgres.Server.ExecuteAsync("SELECT count(*) FROM tenant_b.tenant_migrations_history", Name(connection)));
    }

    [Fact]
    public async Task Migrate_reports_a_missing_database_as_TenantNotFound_and_provision_creates_it()
    {
        var migrations = WriteMigrations(folder, "migrations", 2);
        var tenant = Database(Unique("tenant_db"));

        var missing = await MigrateAsync(tenant, migrations);
        var (provisioned, _) = await ProvisionAsync([tenant], migrations);
        var (again, _) = await ProvisionAsync([tenant], migrations);

        Assert.Equal(ErrorIds.TenantNotFound, missing.Error?.ErrorId);
        Assert.Equal($"tenant '{tenant.Name}': database '{tenant.Name}' not found; use New-Tenant or --create.", missing.Error?.Message);
        var created = provisioned.Single();
        Assert.True(created.Succeeded, created.Error?.Message);
        Assert.True(created.Created);
        Assert.Equal(["1", "2"], created.Applied.Select(a => a.Version));
        Assert.False(again.Single().Created);
        Assert.Equal(TenantState.UpToDate, again.Single().StateAfter);
    }

    [Fact]
    public async Task A_schema_tenant_whose_database_is_missing_is_not_found_even_with_create()
    {
        var migrations = WriteMigrations(folder, "migrations", 1);
        var tenant = Schema(postgres.Server.ConnectionStringFor(Unique("no_such_db")), "tenant_x");

        var (results, _) = await ProvisionAsync([tenant], migrations);

        var result = results.Single();
        Assert.Equal(ErrorIds.TenantNotFound, result.Error?.ErrorId);
        Assert.Contains("a schema-per-tenant tenant's database must exist", result.Error!.Message);
    }

    [Fact]
    public async Task A_role_without_CREATEDB_gets_CreateDenied_naming_the_tenant()
    {
        var migrations = WriteMigrations(folder, "migrations", 1);
        var role = Unique("plain_role");
        await postgres.Server.ExecuteAsync($"CREATE ROLE {role} LOGIN PASSWORD 'Plain-pass1' NOCREATEDB");
        var builder = new NpgsqlConnectionStringBuilder(postgres.Server.ConnectionStringFor(Unique("tenant_denied"))) { Username = role, Password = "Plain-pass1" };
        var tenant = new Tenant { Name = "denied", Engine = DatabaseEngine.Postgres, ConnectionString = builder.ConnectionString };

        var (results, _) = await ProvisionAsync([tenant], migrations);

        var result = results.Single();
        Assert.Equal(ErrorIds.CreateDenied, result.Error?.ErrorId);
        Assert.Contains("tenant 'denied'", result.Error!.Message);
        Assert.DoesNotContain("Plain-pass1", result.Error.Message);
    }

    [Fact]
    public async Task A_schema_copied_from_a_template_keeps_names_sequences_keys_views_and_rows_under_the_new_schema()
    {
        var connection = await postgres.NewDatabaseAsync();
        var database = Name(connection);
        var old = folder.Combine("old");
        Directory.CreateDirectory(old);
        File.WriteAllText(Path.Combine(old, "V1__schema.sql"), """
            CREATE TABLE customers (id serial PRIMARY KEY, email text NOT NULL CONSTRAINT email_has_at CHECK (email LIKE '%@%'), CONSTRAINT customers_email_key UNIQUE (email));
            CREATE TABLE orders (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, customer_id integer NOT NULL CONSTRAINT orders_customer_fk REFERENCES customers (id), total numeric(10,2), doubled numeric GENERATED ALWAYS AS (total * 2) STORED);
            CREATE INDEX idx_orders_customer ON orders (customer_id);
            CREATE VIEW big_orders AS SELECT o.id, c.email FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.total > 100;
            INSERT INTO customers (email) VALUES ('seed@example.com');
            INSERT INTO orders (customer_id, total) VALUES (1, 150);
            """);
        var current = folder.Combine("current");
        Directory.CreateDirectory(current);
        foreach (var file in Directory.GetFiles(old)) File.Copy(file, Path.Combine(current, Path.GetFileName(file)));
        File.WriteAllText(Path.Combine(current, "V2__notes.sql"), "ALTER TABLE customers ADD COLUMN note text;\nDROP INDEX idx_orders_customer;\n");
        Assert.True((await MigrateAsync(Schema(connection, "tenant_template"), old, create: true)).Succeeded);

        var (results, _) = await ProvisionAsync([Schema(connection, "tenant_new")], current, template: "tenant_template");

        var result = results.Single();
        Assert.True(result.Succeeded, result.Error?.Message);
        Assert.True(result.Created);
        Assert.Equal("tenant_template", result.Template);
        Assert.Equal("1", result.VersionBefore);
        Assert.Equal(["2"], result.Applied.Select(a => a.Version));
        Assert.Equal("versioned 1|template 1|versioned 2", await postgres.Server.ExecuteAsync(
            "SELECT string_agg(kind || ' ' || version, '|' ORDER BY installed_rank) FROM tenant_new.tenant_migrations_history", database));
        // The copy's keys, sequences and views point into the new schema, never back into the template.
        Assert.Equal("tenant_new.customers", await postgres.Server.ExecuteAsync(
            "SELECT confrelid::regclass::text FROM pg_constraint WHERE conname = 'orders_customer_fk' AND connamespace = 'tenant_new'::regnamespace", database));
        Assert.Contains("tenant_new.customers_id_seq", await postgres.Server.ExecuteAsync("SET search_path TO public; SELECT pg_get_serial_sequence('tenant_new.customers', 'id')", database));
        Assert.Equal("2", await postgres.Server.ExecuteAsync("INSERT INTO tenant_new.customers (email) VALUES ('two@example.com') RETURNING id", database));
        Assert.Equal("2", await postgres.Server.ExecuteAsync("INSERT INTO tenant_new.orders (customer_id, total) VALUES (2, 20) RETURNING id", database));
        Assert.Equal("1", await postgres.Server.ExecuteAsync("SELECT count(*) FROM tenant_template.customers", database));
        Assert.Equal("seed@example.com", await postgres.Server.ExecuteAsync("SELECT email FROM tenant_new.big_orders", database));
        Assert.Equal("300", await postgres.Server.ExecuteAsync("SELECT doubled::int FROM tenant_new.orders WHERE id = 1", database));
        Assert.Equal("email_has_at,customers_pkey,customers_email_key", await postgres.Server.ExecuteAsync(
            "SELECT string_agg(conname, ',' ORDER BY contype, conname) FROM pg_constraint WHERE conrelid = 'tenant_new.customers'::regclass", database));
        Assert.Equal("new@x", await postgres.Server.ExecuteAsync("SELECT 'new@x' WHERE NOT EXISTS (SELECT 1 FROM pg_depend d JOIN pg_class c ON c.oid = d.refobjid WHERE d.classid = 'pg_class'::regclass AND d.objid IN (SELECT oid FROM pg_class WHERE relnamespace = 'tenant_new'::regnamespace) AND c.relnamespace = 'tenant_template'::regnamespace)", database));
        Assert.Throws<InvalidOperationException>(() => postgres.Server.ExecuteAsync("INSERT INTO tenant_new.customers (email) VALUES ('no-at-sign')", database).GetAwaiter().GetResult());
    }

    [Fact]
    public async Task A_template_schema_with_a_function_is_refused_by_name()
    {
        var connection = await postgres.NewDatabaseAsync();
        var migrations = folder.Combine("functions");
        Directory.CreateDirectory(migrations);
        File.WriteAllText(Path.Combine(migrations, "V1__f.sql"), "CREATE TABLE t (id int);\nCREATE FUNCTION answer() RETURNS int LANGUAGE sql AS $$ SELECT 42 $$;\n");
        Assert.True((await MigrateAsync(Schema(connection, "tpl_fn"), migrations, create: true)).Succeeded);

        var (results, _) = await ProvisionAsync([Schema(connection, "tenant_fn")], migrations, template: "tpl_fn");

        var result = results.Single();
        Assert.Equal(ErrorIds.TemplateUnusable, result.Error?.ErrorId);
        Assert.Contains("function answer", result.Error!.Message);
        Assert.Equal("0", await postgres.Server.ExecuteAsync("SELECT count(*) FROM pg_namespace WHERE nspname = 'tenant_fn'", Name(connection)));
    }

    [Fact]
    public async Task A_database_copied_from_a_template_database_carries_its_journal_and_records_the_template()
    {
        var old = WriteMigrations(folder, "old", 2);
        var current = WriteMigrations(folder, "current", 3);
        var template = Database(Unique("tpl_db"));
        Assert.True((await MigrateAsync(template, old, create: true)).Succeeded);
        var tenants = new[] { Database(Unique("tenant_db")), Database(Unique("tenant_db")) };

        var (results, _) = await ProvisionAsync(tenants, current, template: template.Name);

        foreach (var result in results)
        {
            Assert.True(result.Succeeded, result.Error?.Message);
            Assert.True(result.Created);
            Assert.Equal(template.Name, result.Template);
            Assert.Equal(["3"], result.Applied.Select(a => a.Version));
            Assert.Equal($"versioned 1 accounts|versioned 2 table 2|template 2 template {template.Name}|versioned 3 table 3", await postgres.Server.ExecuteAsync(
                "SELECT string_agg(kind || ' ' || version || ' ' || description, '|' ORDER BY installed_rank) FROM tenant_migrations_history", result.TenantName));
            Assert.Equal("seed", await postgres.Server.ExecuteAsync("SELECT name FROM accounts", result.TenantName));
        }
    }

    [Fact]
    public async Task A_template_database_in_use_is_reported_by_name()
    {
        var migrations = WriteMigrations(folder, "migrations", 1);
        var template = Database(Unique("tpl_busy"));
        Assert.True((await MigrateAsync(template, migrations, create: true)).Succeeded);
        await using var session = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(template.GetConnectionString()) { Pooling = false }.ConnectionString);
        await session.OpenAsync();

        var (results, _) = await ProvisionAsync([Database(Unique("tenant_busy"))], migrations, template: template.Name);

        var result = results.Single();
        Assert.Equal(ErrorIds.TemplateUnusable, result.Error?.ErrorId);
        Assert.Contains($"template database '{template.Name}' is being accessed by other sessions", result.Error!.Message);
    }

    private static string Name(string connection) => new NpgsqlConnectionStringBuilder(connection).Database!;
}

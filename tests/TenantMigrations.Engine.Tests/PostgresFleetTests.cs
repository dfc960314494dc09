using System.Data.Common;
using Npgsql;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Planning;
using TenantMigrations.Engine.Tenants;
using TenantMigrations.TestSupport;

namespace TenantMigrations.Engine.Tests;

/// <summary>The fleet scenarios on PostgreSQL with one schema per tenant, plus what only PostgreSQL has.</summary>
[Collection(PostgresCollection.Name)]
public class PostgresSchemaFleetTests(PostgresFixture postgres) : FleetScenarios
{
    protected PostgresFixture Postgres { get; } = postgres;

    protected override DatabaseEngine Engine => DatabaseEngine.Postgres;

    protected override async Task<IReadOnlyList<Tenant>> CreateTenantsAsync(int count)
    {
        var connectionString = await Postgres.NewDatabaseAsync();
        return Enumerable.Range(1, count)
            .Select(i => new Tenant { Name = $"tenant_{i}", Engine = DatabaseEngine.Postgres, ConnectionString = connectionString, Schema = $"tenant_{i}" })
            .ToList();
    }

    protected override async Task<bool> TableExistsAsync(Tenant tenant, string table) =>
        await ScalarAsync(tenant, $"SELECT count(*) FROM pg_tables WHERE schemaname = '{tenant.Schema ?? "public"}' AND tablename = '{table}'") == "1";

    protected override async Task SimulateCrashedRunAsync(Tenant tenant, string version)
    {
        await using var connection = await OpenAsync(tenant);
        await using var command = connection.CreateCommand();
        command.CommandText = $"INSERT INTO tenant_migrations_history (installed_rank, version, description, kind, state, started_at) VALUES (99, '{version}', 'b', 'versioned', 'running', now())";
        await command.ExecuteNonQueryAsync();
    }

    protected override string SlowStatement() => "SELECT pg_sleep(2)";

    protected override Tenant UnreachableTenant() => new()
    {
        Name = "nowhere",
        Engine = DatabaseEngine.Postgres,
        ConnectionString = $"Host=127.0.0.1;Port={PostgresServer.FreePort()};Username=postgres;Password=unreachable-Secr3t;Timeout=2",
        Schema = "nowhere",
    };

    internal Task<bool> TableExists(Tenant tenant, string table) => TableExistsAsync(tenant, table);

    internal Task<DbConnection> Open(Tenant tenant) => OpenAsync(tenant);

    internal Task SimulateCrashedRun(Tenant tenant, string version) => SimulateCrashedRunAsync(tenant, version);

    internal Tenant Unreachable() => UnreachableTenant();

    protected override async Task<DbConnection> OpenAsync(Tenant tenant)
    {
        var connection = new NpgsqlConnection(tenant.GetConnectionString());
        await connection.OpenAsync();
        if (tenant.Schema is not null)
        {
            await using var command = new NpgsqlCommand($"SET search_path TO \"{tenant.Schema}\"", connection);
            await command.ExecuteNonQueryAsync();
        }
        return connection;
    }

    [Fact]
    public async Task Unqualified_objects_land_in_the_tenant_schema_and_nowhere_else()
    {
        WriteMigration("V1__objects.sql", "CREATE TABLE things (id INTEGER);\nCREATE VIEW thing_ids AS SELECT id FROM things;\nCREATE SEQUENCE thing_seq;");
        var tenants = await CreateTenantsAsync(2);
        await MigrateAsync([tenants[0]]);

        var objects = await ScalarAsync(tenants[0], "SELECT string_agg(n.nspname || '.' || c.relname, ',' ORDER BY c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relname IN ('things', 'thing_ids', 'thing_seq')");
        Assert.Equal("tenant_1.thing_ids,tenant_1.thing_seq,tenant_1.things", objects);
        Assert.Equal("0", await ScalarAsync(tenants[1], "SELECT count(*) FROM pg_namespace WHERE nspname = 'tenant_2'"));
        Assert.Equal("0", await ScalarAsync(tenants[0], "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"));
    }

    [Fact]
    public async Task A_non_transactional_file_runs_concurrently_safe_statements_one_by_one()
    {
        WriteMigration("V1__table.sql", "CREATE TABLE orders (id INTEGER, placed_at TIMESTAMPTZ);");
        WriteMigration("V2__index.sql", "-- tm:transaction=false\nCREATE INDEX CONCURRENTLY ix_orders_placed ON orders (placed_at);\nCREATE INDEX CONCURRENTLY ix_orders_id ON orders (id);");
        var tenants = await CreateTenantsAsync(1);

        var (summary, _) = await MigrateAsync(tenants);

        Assert.Equal(2, summary.MigrationsApplied);
        Assert.Equal("2", await ScalarAsync(tenants[0], "SELECT count(*) FROM pg_indexes WHERE schemaname = 'tenant_1' AND tablename = 'orders'"));
        Assert.Equal(["succeeded", "succeeded"], (await JournalAsync(tenants[0])).Select(j => j.State));
    }

    [Fact]
    public async Task A_failing_non_transactional_file_records_the_statement_and_progress()
    {
        WriteMigration("V1__steps.sql", "-- tm:transaction=false\nCREATE TABLE step_one (id INTEGER);\nCREATE TABLE step_two (id INTEGER);\nSELECT * FROM missing_table;\nCREATE TABLE step_four (id INTEGER);");
        var tenants = await CreateTenantsAsync(1);

        var (_, results) = await MigrateAsync(tenants);

        var error = results.Single().Error!;
        Assert.Equal(2, error.StatementsCompleted);
        Assert.Equal("SELECT * FROM missing_table", error.Statement);
        Assert.Equal("42P01", error.SqlState);
        Assert.NotNull(error.Position);
        Assert.True(await TableExistsAsync(tenants[0], "step_two"));
        Assert.False(await TableExistsAsync(tenants[0], "step_four"));
        Assert.Equal([("1", "failed")], (await JournalAsync(tenants[0])).Select(j => (j.Version, j.State)));
        Assert.Equal(TenantState.Failed, (await StatusAsync(tenants)).Single().State);
        var (_, again) = await MigrateAsync(tenants);
        Assert.Equal(ErrorIds.MigrationFailed, again.Single().Error!.ErrorId);
        Assert.Empty(again.Single().Applied);
    }

    [Fact]
    public async Task A_transactional_failure_leaves_nothing_behind_and_reports_position()
    {
        WriteMigration("V1__bad.sql", "CREATE TABLE would_be_rolled_back (id INTEGER);\nSELECT nonsense_column FROM would_be_rolled_back;");
        var tenants = await CreateTenantsAsync(1);

        var (_, results) = await MigrateAsync(tenants);

        var error = results.Single().Error!;
        Assert.Equal("42703", error.SqlState);
        Assert.Equal("SELECT nonsense_column FROM would_be_rolled_back", error.Statement);
        Assert.Equal(8, error.Position);
        Assert.False(await TableExistsAsync(tenants[0], "would_be_rolled_back"));
        Assert.Equal([("1", "failed")], (await JournalAsync(tenants[0])).Select(j => (j.Version, j.State)));

        WriteMigration("V1__bad.sql", "CREATE TABLE would_be_rolled_back (id INTEGER);");
        var (_, retried) = await MigrateAsync(tenants);
        Assert.True(retried.Single().Succeeded);
    }

    [Fact]
    public async Task Passwords_never_appear_in_results_statuses_or_errors()
    {
        WriteMigration("V1__bad.sql", "SELECT * FROM missing_table;");
        var tenants = (await CreateTenantsAsync(1)).ToList();
        var wrongPassword = tenants[0].Clone();
        wrongPassword.Name = "wrong_password";
        wrongPassword.ConnectionString = tenants[0].GetConnectionString().Replace(PostgresServer.Password, "Wr0ng-Secret-Pw");
        tenants.Add(wrongPassword);
        tenants.Add(UnreachableTenant());
        var sink = new RecordingSink();

        var (_, results) = await MigrateAsync(tenants, new MigrateOptions { CreateMissing = true, MaxAttempts = 1 }, sink: sink);
        var statuses = await Migrator.GetStatusAsync(tenants, MigrationSet.Load(Migrations), new PlanOptions(), sink);

        var everything = sink.AllText + string.Join("\n", results.Select(r => $"{r.Error?.Message} {r.Tenant.ConnectionString}"))
            + string.Join("\n", statuses.Select(s => $"{s.Message} {s.Tenant.ConnectionString}"));
        Assert.Contains("MigrationFailed", everything);
        Assert.Contains("password authentication failed", everything);
        Assert.DoesNotContain(PostgresServer.Password, everything);
        Assert.DoesNotContain("Wr0ng-Secret-Pw", everything);
        Assert.DoesNotContain("unreachable-Secr3t", everything);
        Assert.Contains("password=***", tenants[0].ConnectionString, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Refused_connections_are_retried_with_backoff_then_reported_unreachable()
    {
        WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);");
        var sink = new RecordingSink();

        var (_, results) = await MigrateAsync([UnreachableTenant()], new MigrateOptions { CreateMissing = true, MaxAttempts = 3, RetryBaseDelay = TimeSpan.FromMilliseconds(20) }, sink: sink);

        Assert.Equal(TenantState.Unreachable, results.Single().StateAfter);
        Assert.Equal(ErrorIds.TenantUnreachable, results.Single().Error!.ErrorId);
        var retries = sink.Events.OfType<FleetLog>().Where(l => l.Message.Contains("transient error, retry")).ToList();
        Assert.Equal(2, retries.Count);
        Assert.All(retries, r => Assert.DoesNotContain("unreachable-Secr3t", r.Message));
    }

    [Fact]
    public async Task Status_reads_many_schemas_with_one_batched_read_per_database()
    {
        WriteStandardMigrations();
        var tenants = await CreateTenantsAsync(30);
        await MigrateAsync(tenants.Take(20).ToList());
        await MigrateAsync(tenants.Skip(20).Take(5).ToList(), new MigrateOptions { CreateMissing = true, Plan = new PlanOptions { TargetVersion = MigrationVersion.Parse("1") } });

        var statuses = await StatusAsync(tenants);

        Assert.Equal(20, statuses.Count(s => s.State == TenantState.UpToDate && s.CurrentVersion == "3"));
        Assert.Equal(5, statuses.Count(s => s.State == TenantState.Pending && s.CurrentVersion == "1" && s.PendingCount == 2));
        Assert.Equal(5, statuses.Count(s => s.State == TenantState.Pending && s.CurrentVersion is null && s.PendingCount == 3));
        Assert.All(statuses.Take(20), s => Assert.NotNull(s.LastAppliedAt));
    }

    [Fact]
    public async Task Status_of_a_fleet_bigger_than_one_batch_reads_it_in_chunks_and_pairs_every_journal_with_its_tenant()
    {
        WriteStandardMigrations();
        var tenants = await CreateTenantsAsync(1234);
        var migrated = new[] { tenants[0], tenants[499], tenants[500], tenants[777], tenants[^1] };
        await MigrateAsync(migrated, new MigrateOptions { CreateMissing = true });

        // One worker: the 1,234 schemas are read in chunks of at most 500, one after another.
        var statuses = await Migrator.GetStatusAsync(tenants, MigrationSet.Load(Migrations), new PlanOptions(), throttleLimit: 1);

        Assert.Equal(tenants.Select(t => t.Name), statuses.Select(s => s.TenantName));
        var upToDate = statuses.Where(s => s.State == TenantState.UpToDate).Select(s => s.TenantName).ToList();
        Assert.Equal(migrated.Select(t => t.Name), upToDate);
        Assert.All(statuses.Where(s => s.State != TenantState.UpToDate), s => Assert.Equal((TenantState.Pending, 3), (s.State, s.PendingCount)));
    }

    [Fact]
    public async Task Schema_discovery_finds_tenants_by_pattern_and_a_bad_schema_name_is_rejected()
    {
        var connectionString = await Postgres.NewDatabaseAsync();
        await Postgres.Server.ExecuteAsync("CREATE SCHEMA tenant_alpha; CREATE SCHEMA tenant_beta; CREATE SCHEMA other;", new NpgsqlConnectionStringBuilder(connectionString).Database!);

        var tenants = await TenantSources.FromPostgresSchemasAsync(connectionString, "tenant\\_%");

        Assert.Equal(["tenant_alpha", "tenant_beta"], tenants.Select(t => t.Name));
        WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);");
        var evil = new Tenant { Name = "evil", Engine = DatabaseEngine.Postgres, ConnectionString = connectionString, Schema = "x\"; DROP SCHEMA other; --" };
        var (_, results) = await MigrateAsync([evil]);
        Assert.Equal(ErrorIds.InvalidTenant, results.Single().Error!.ErrorId);
        Assert.Equal("1", await ScalarAsync(tenants[0], "SELECT count(*) FROM pg_namespace WHERE nspname = 'other'"));
    }

    [Fact]
    public async Task Export_writes_the_exact_sql_with_placeholders_and_journal_inserts()
    {
        WriteStandardMigrations();
        var tenants = await CreateTenantsAsync(1);

        var export = (await Migrator.ExportAsync(tenants, MigrationSet.Load(Migrations), new PlanOptions())).Single();

        Assert.Equal(["1", "2", "3"], export.Versions);
        Assert.Contains("SET search_path TO \"tenant_1\";", export.Sql);
        Assert.Contains("CREATE TABLE IF NOT EXISTS \"tenant_1\".\"tenant_migrations_history\"", export.Sql);
        Assert.Contains("INSERT INTO customers (id, name) VALUES (1, 'tenant_1');", export.Sql);
        Assert.Contains("INSERT INTO \"tenant_1\".\"tenant_migrations_history\"", export.Sql);
        Assert.False(await TableExistsAsync(tenants[0], "tenant_migrations_history"));

        await Postgres.Server.ExecuteAsync(export.Sql, new NpgsqlConnectionStringBuilder(tenants[0].GetConnectionString()).Database!);
        Assert.Equal(TenantState.UpToDate, (await StatusAsync(tenants)).Single().State);
    }
}

/// <summary>The same scenarios with one database per tenant: the journal lives in each database's public schema.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresDatabaseFleetTests(PostgresFixture postgres) : FleetScenarios
{
    private readonly PostgresSchemaFleetTests helpers = new(postgres);

    protected override DatabaseEngine Engine => DatabaseEngine.Postgres;

    protected override async Task<IReadOnlyList<Tenant>> CreateTenantsAsync(int count)
    {
        var tenants = new List<Tenant>();
        for (var i = 1; i <= count; i++)
        {
            tenants.Add(new Tenant { Name = $"db_tenant_{i}", Engine = DatabaseEngine.Postgres, ConnectionString = await postgres.NewDatabaseAsync("tenantdb") });
        }
        return tenants;
    }

    protected override Task<bool> TableExistsAsync(Tenant tenant, string table) => helpers.TableExists(tenant, table);

    protected override Task<DbConnection> OpenAsync(Tenant tenant) => helpers.Open(tenant);

    protected override Task SimulateCrashedRunAsync(Tenant tenant, string version) => helpers.SimulateCrashedRun(tenant, version);

    protected override string SlowStatement() => "SELECT pg_sleep(2)";

    protected override Tenant UnreachableTenant() => helpers.Unreachable();

    /// <summary>The helpers are a test class of their own, with a temp folder of their own to remove.</summary>
    public override void Dispose()
    {
        helpers.Dispose();
        base.Dispose();
    }
}

/// <summary>Statements the driver must send as written: a BEGIN ATOMIC body holds semicolons that are not statement ends.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresStatementTextTests(PostgresFixture postgres) : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Theory]
    [InlineData("")]
    [InlineData("-- tm:transaction=false\n")]
    public async Task A_BEGIN_ATOMIC_function_runs_as_written_in_and_outside_a_transaction(string directive)
    {
        folder.Write("migrations/V1__atomic.sql", directive + """
            CREATE TABLE counters (n integer);
            CREATE FUNCTION bump() RETURNS void LANGUAGE sql
            BEGIN ATOMIC
              INSERT INTO counters VALUES (1);
              INSERT INTO counters VALUES (2);
            END;
            SELECT bump();
            """);
        var connectionString = await postgres.NewDatabaseAsync();
        var tenant = new Tenant { Name = "atomic", Engine = DatabaseEngine.Postgres, ConnectionString = connectionString, Schema = "atomic" };

        var sink = new RecordingSink();
        await new FleetMigrator().MigrateAsync([tenant], MigrationSet.Load(folder.Combine("migrations")), new MigrateOptions { CreateMissing = true }, sink);

        Assert.True(sink.Results.Single().Succeeded, sink.Results.Single().Error?.ToString());
        Assert.Equal("3", await postgres.Server.ExecuteAsync("SELECT sum(n) FROM atomic.counters", new NpgsqlConnectionStringBuilder(connectionString).Database!));
    }
}

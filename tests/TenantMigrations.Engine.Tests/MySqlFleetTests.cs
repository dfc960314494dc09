using System.Data.Common;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Planning;
using TenantMigrations.MySql;
using TenantMigrations.TestSupport;

namespace TenantMigrations.Engine.Tests;

/// <summary>One private MariaDB server for every MySQL test in this assembly.</summary>
public sealed class MariaDbFixture : IAsyncLifetime
{
    private int databases;

    public MariaDbServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await MariaDbServer.StartAsync(new MariaDbServerOptions { EnableTls = false });

    public async Task DisposeAsync() => await Server.DisposeAsync();

    public async Task<string> NewDatabaseAsync(string prefix = "tenant")
    {
        var name = $"{prefix}_{Interlocked.Increment(ref databases)}_{Guid.NewGuid().ToString("N")[..6]}";
        await Server.CreateDatabaseAsync(name);
        return name;
    }
}

[CollectionDefinition(Name)]
public sealed class MariaDbCollection : ICollectionFixture<MariaDbFixture>
{
    public const string Name = "mariadb";
}

/// <summary>The fleet scenarios on MariaDB with one database per tenant, plus what differs without transactional DDL.</summary>
[Collection(MariaDbCollection.Name)]
public sealed class MySqlFleetTests(MariaDbFixture mariadb) : FleetScenarios
{
    protected override DatabaseEngine Engine => DatabaseEngine.MySql;

    protected override async Task<IReadOnlyList<Tenant>> CreateTenantsAsync(int count)
    {
        var tenants = new List<Tenant>();
        for (var i = 0; i < count; i++)
        {
            var database = await mariadb.NewDatabaseAsync();
            tenants.Add(new Tenant { Name = database, Engine = DatabaseEngine.MySql, ConnectionString = mariadb.Server.ConnectionStringFor(database) });
        }
        return tenants;
    }

    protected override async Task<bool> TableExistsAsync(Tenant tenant, string table) =>
        await ScalarAsync(tenant, $"SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = '{table}'") == "1";

    protected override async Task SimulateCrashedRunAsync(Tenant tenant, string version)
    {
        await using var connection = await OpenAsync(tenant);
        await using var command = connection.CreateCommand();
        command.CommandText = $"INSERT INTO tenant_migrations_history (installed_rank, version, description, kind, state, started_at) VALUES (99, '{version}', 'b', 'versioned', 'running', NOW(6))";
        await command.ExecuteNonQueryAsync();
    }

    protected override string SlowStatement() => "SELECT SLEEP(2)";

    protected override Tenant UnreachableTenant() => new()
    {
        Name = "nowhere",
        Engine = DatabaseEngine.MySql,
        ConnectionString = $"Server=127.0.0.1;Port={PostgresServer.FreePort()};Database=nowhere;User ID=root;Password=unreachable-Secr3t;Connection Timeout=2",
    };

    protected override async Task<DbConnection> OpenAsync(Tenant tenant)
    {
        var connection = new MySqlConnection(tenant.GetConnectionString());
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>Without transactional DDL the statements before the cancelled one stay, and the journal says so.</summary>
    [Fact]
    public override async Task Cancellation_stops_new_tenants_and_rolls_back_the_one_in_flight()
    {
        WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);");
        WriteMigration("V2__slow.sql", "CREATE TABLE half_done (id INTEGER);\n" + SlowStatement() + ";\nCREATE TABLE never (id INTEGER);");
        var tenants = await CreateTenantsAsync(2);
        using var cancellation = new CancellationTokenSource();
        var sink = new RecordingSink
        {
            OnPost = e =>
            {
                if (e is MigrationStarted { Migration.Version: "2" }) cancellation.CancelAfter(TimeSpan.FromMilliseconds(300));
            },
        };

        var (summary, results) = await MigrateAsync(tenants, new MigrateOptions { CreateMissing = true, ThrottleLimit = 1 }, cancellation.Token, sink);

        Assert.True(summary.Cancelled);
        var inFlight = Assert.Single(results);
        Assert.Equal(ErrorIds.Cancelled, inFlight.Error!.ErrorId);
        Assert.Equal(1, inFlight.Error.StatementsCompleted);
        Assert.True(await TableExistsAsync(inFlight.Tenant, "half_done"));
        Assert.False(await TableExistsAsync(inFlight.Tenant, "never"));
        Assert.Equal([("1", "succeeded"), ("2", "failed")], (await JournalAsync(inFlight.Tenant)).Select(j => (j.Version, j.State)));
        Assert.False(await TableExistsAsync(tenants.Single(t => t != inFlight.Tenant), "a"));
    }

    [Fact]
    public async Task A_failed_multi_statement_migration_records_progress_and_blocks_until_repaired()
    {
        WriteMigration("V1__steps.sql", "CREATE TABLE step_one (id INT);\nINSERT INTO step_one VALUES (1);\nINSERT INTO missing_table VALUES (1);\nCREATE TABLE step_four (id INT);");
        var tenants = await CreateTenantsAsync(1);

        var (_, results) = await MigrateAsync(tenants);

        var error = results.Single().Error!;
        Assert.Equal((ErrorIds.MigrationFailed, 2, "INSERT INTO missing_table VALUES (1)", "42S02"), (error.ErrorId, error.StatementsCompleted, error.Statement, error.SqlState));
        Assert.Contains("statement 3 of 4", error.Message);
        Assert.True(await TableExistsAsync(tenants[0], "step_one"));
        Assert.False(await TableExistsAsync(tenants[0], "step_four"));
        var status = (await StatusAsync(tenants)).Single();
        Assert.Equal((TenantState.Failed, "1"), (status.State, status.Failed.Single()));
        var (_, again) = await MigrateAsync(tenants);
        Assert.Empty(again.Single().Applied);
        Assert.Equal("1", await ScalarAsync(tenants[0], "SELECT count(*) FROM step_one"));
    }

    [Fact]
    public async Task Status_reads_many_databases_on_one_server_in_one_batch_and_sees_locks()
    {
        WriteStandardMigrations();
        var tenants = await CreateTenantsAsync(12);
        await MigrateAsync(tenants.Take(8).ToList());
        await using var holder = await OpenAsync(tenants[0]);
        var dialect = Migrator.DialectFor(tenants[0]);
        await using var held = await dialect.TryLockAsync(holder, tenants[0], "tenant_migrations_history", TimeSpan.Zero, CancellationToken.None);

        var statuses = await StatusAsync(tenants);

        Assert.Equal(TenantState.Locked, statuses[0].State);
        Assert.All(statuses.Skip(1).Take(7), s => Assert.Equal((TenantState.UpToDate, "3"), (s.State, s.CurrentVersion)));
        Assert.All(statuses.Skip(8), s => Assert.Equal((TenantState.Pending, 3), (s.State, s.PendingCount)));
    }

    [Fact]
    public async Task Status_reads_every_journal_in_one_batch_and_looks_them_up_first_only_when_one_is_missing()
    {
        WriteStandardMigrations();
        var tenants = await CreateTenantsAsync(6);
        await MigrateAsync(tenants);
        await using var holder = await OpenAsync(tenants[2]);
        var dialect = Migrator.DialectFor(tenants[2]);
        await using var held = await dialect.TryLockAsync(holder, tenants[2], "tenant_migrations_history", TimeSpan.Zero, CancellationToken.None);

        var statuses = await StatusAsync(tenants);

        Assert.Equal(TenantState.Locked, statuses[2].State);
        Assert.All(statuses.Where((_, i) => i != 2), s => Assert.Equal((TenantState.UpToDate, "3"), (s.State, s.CurrentVersion)));

        // The journal read fails with 1146 at tenant 4: the journals are looked up first, and the lock is still seen.
        await ScalarAsync(tenants[4], "DROP TABLE tenant_migrations_history");
        statuses = await StatusAsync(tenants);

        Assert.Equal(TenantState.Locked, statuses[2].State);
        Assert.Equal((TenantState.Pending, 3), (statuses[4].State, statuses[4].PendingCount));
        Assert.All(statuses.Where((_, i) => i is not (2 or 4)), s => Assert.Equal((TenantState.UpToDate, "3"), (s.State, s.CurrentVersion)));
    }

    [Fact]
    public async Task A_journal_the_user_may_not_read_is_that_tenants_error_and_not_a_missing_journal()
    {
        WriteStandardMigrations();
        var tenants = await CreateTenantsAsync(3);
        await MigrateAsync(tenants);
        var user = $"tm_ro_{Guid.NewGuid():N}"[..16];
        var password = $"Ro-{Guid.NewGuid():N}"[..20];
        var databases = tenants.Select(t => new MySqlConnectionStringBuilder(t.GetConnectionString()).Database).ToList();
        await mariadb.Server.ExecuteSqlAsync($"CREATE USER '{user}'@'%' IDENTIFIED BY '{password}'; GRANT ALL ON `{databases[0]}`.* TO '{user}'@'%'; GRANT ALL ON `{databases[2]}`.* TO '{user}'@'%';");

        var statuses = await StatusAsync(tenants.Select(t => t.WithCredential(user, password)).ToList());

        Assert.Equal([TenantState.UpToDate, TenantState.Unreachable, TenantState.UpToDate], statuses.Select(s => s.State));
        Assert.Contains("denied", statuses[1].Message);
        Assert.DoesNotContain(password, statuses[1].Message);
    }

    [Fact]
    public async Task Passwords_never_appear_and_export_uses_safe_literals()
    {
        WriteMigration("V1__bad.sql", "SELECT * FROM missing_table;");
        WriteMigration("V2__backslash.sql", "SELECT 'a\\\\b';");
        var tenants = (await CreateTenantsAsync(1)).ToList();
        var wrong = new Tenant { Name = "wrong", Engine = DatabaseEngine.MySql, ConnectionString = tenants[0].GetConnectionString().Replace(mariadb.Server.Password, "Wr0ng-Secret-Pw") };
        tenants.Add(wrong);
        var sink = new RecordingSink();

        var (_, results) = await MigrateAsync(tenants, new MigrateOptions { CreateMissing = true, MaxAttempts = 1 }, sink: sink);
        var export = await Migrator.ExportAsync([wrong], MigrationSet.Load(Migrations), new PlanOptions());

        var everything = sink.AllText + string.Join("\n", results.Select(r => $"{r.Error} {r.Tenant.ConnectionString}")) + export.Single().Sql;
        Assert.Contains("Access denied", everything);
        Assert.DoesNotContain(mariadb.Server.Password, everything);
        Assert.DoesNotContain("Wr0ng-Secret-Pw", everything);
        Assert.Contains("_utf8mb4 X'", new Dialects.MySql.MySqlDialect().QuoteLiteral("a\\b"));
    }
}

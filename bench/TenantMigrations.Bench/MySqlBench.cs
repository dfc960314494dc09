using TenantMigrations;
using TenantMigrations.Engine.Dialects;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Planning;
using TenantMigrations.MySql;
using TenantMigrations.TestSupport;

/// <summary>N MariaDB databases on a private server: our engine against a per-tenant loop, as a knex loop does it.</summary>
internal static class MySqlBench
{
    public static async Task RunAsync(MigrationSet set, int tenantCount, int throttle)
    {
        await using var server = await MariaDbServer.StartAsync(new MariaDbServerOptions { EnableTls = false });
        await using (var admin = new MySqlConnection(server.ConnectionString))
        {
            await admin.OpenAsync();
            var create = string.Join(";", Enumerable.Range(1, tenantCount).SelectMany(i => new[] { $"CREATE DATABASE ours_{i:D5}", $"CREATE DATABASE loop_{i:D5}" }));
            await using var command = new MySqlCommand(create, admin) { CommandTimeout = 0 };
            await command.ExecuteNonQueryAsync();
        }
        List<Tenant> Tenants(string prefix) => Enumerable.Range(1, tenantCount)
            .Select(i => new Tenant { Name = $"{prefix}_{i:D5}", Engine = DatabaseEngine.MySql, ConnectionString = server.ConnectionStringFor($"{prefix}_{i:D5}"), Properties = { ["plan"] = "bench" } })
            .ToList();
        var ours = Tenants("ours");
        var loop = Tenants("loop");
        var migrator = new FleetMigrator();
        Console.WriteLine($"{tenantCount} MariaDB databases, {set.Versioned.Count} versioned + {set.Repeatable.Count} repeatable migrations, throttle {throttle}");

        var loopMigrate = await Measure.TimeAsync(() => LoopMigrateAsync(loop, set));
        var oursMigrate = await Measure.TimeAsync(() => migrator.MigrateAsync(ours, set, new MigrateOptions { ThrottleLimit = throttle, CreateMissing = true }, new NullFleetSink()));
        Measure.Report("fresh migrate", oursMigrate, loopMigrate);

        await migrator.GetStatusAsync(ours, set, new PlanOptions());
        var oursStatus = await Measure.BestOfAsync(3, () => migrator.GetStatusAsync(ours, set, new PlanOptions(), throttleLimit: throttle));
        var loopStatus = await Measure.BestOfAsync(3, () => LoopStatusAsync(loop));
        Measure.Report("status", oursStatus, loopStatus);
        var statuses = await migrator.GetStatusAsync(ours, set, new PlanOptions());
        Console.WriteLine($"status check: {statuses.Count(s => s.State == TenantState.UpToDate)} of {tenantCount} tenants UpToDate");
    }

    private static async Task LoopMigrateAsync(IReadOnlyList<Tenant> tenants, MigrationSet set)
    {
        foreach (var tenant in tenants)
        {
            await using var connection = new MySqlConnection(tenant.GetConnectionString());
            await connection.OpenAsync();
            await ExecuteAsync(connection, "CREATE TABLE IF NOT EXISTS knex_migrations (name VARCHAR(255) PRIMARY KEY, migration_time DATETIME)");
            var values = Placeholders.ValuesFor(tenant, set.Settings);
            foreach (var migration in set.Versioned.Concat(set.Repeatable))
            {
                foreach (var statement in SqlStatementSplitter.MySql.Split(Placeholders.Render(migration.FileFor(DatabaseEngine.MySql)!.Content, values, new TenantMigrations.Engine.Dialects.MySql.MySqlDialect())))
                {
                    await ExecuteAsync(connection, statement);
                }
                await ExecuteAsync(connection, $"INSERT INTO knex_migrations VALUES ('{migration.Key}', NOW())");
            }
        }
    }

    private static async Task LoopStatusAsync(IReadOnlyList<Tenant> tenants)
    {
        foreach (var tenant in tenants)
        {
            await using var connection = new MySqlConnection(tenant.GetConnectionString());
            await connection.OpenAsync();
            await using var command = new MySqlCommand("SELECT name, migration_time FROM knex_migrations ORDER BY name", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) { }
        }
    }

    private static async Task ExecuteAsync(MySqlConnection connection, string sql)
    {
        await using var command = new MySqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
    }
}

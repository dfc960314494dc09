using Npgsql;
using TenantMigrations;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Provisioning;
using TenantMigrations.TestSupport;

/// <summary>
/// Provisioning N PostgreSQL tenants from a template against by replaying the migrations, for schema per tenant and
/// for database per tenant, with a generated set of ~50 migrations. Prints times and ratios only.
///   dotnet run -c Release --project bench/TenantMigrations.Bench -- provision [tenants=100] [throttle=8] [migrations=50]
/// </summary>
internal static class ProvisionBench
{
    public static async Task RunAsync(int tenantCount, int throttle, int migrationCount)
    {
        var folder = Path.Combine(Path.GetTempPath(), "tm-provision-bench-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var set = MigrationSet.Load(WriteMigrations(folder, migrationCount));
            await using var server = await PostgresServer.StartAsync();
            Console.WriteLine($"provision {tenantCount} PostgreSQL tenants, {set.Versioned.Count} migrations, throttle {throttle}");
            var options = new MigrateOptions { ThrottleLimit = throttle };

            // Each side gets a database of its own, so that neither works against a catalog the other has grown.
            var replayDb = await server.CreateDatabaseAsync("bench_replay") + ";Maximum Pool Size=50";
            var copyDb = await server.CreateDatabaseAsync("bench_copy") + ";Maximum Pool Size=50";
            await RequireAsync(new FleetProvisioner().ProvisionAsync([SchemaTenant(copyDb, "tenant_template")], set, options, null, new NullFleetSink()));
            var replayedSchemas = await Measure.TimeAsync(() => RequireAsync(new FleetProvisioner().ProvisionAsync(Schemas(replayDb, "replayed", tenantCount), set, options, null, new NullFleetSink())));
            var copiedSchemas = await Measure.TimeAsync(() => RequireAsync(new FleetProvisioner().ProvisionAsync(Schemas(copyDb, "copied", tenantCount), set, options, "tenant_template", new NullFleetSink())));
            Report("schema per tenant", tenantCount, copiedSchemas, replayedSchemas);

            await RequireAsync(new FleetProvisioner().ProvisionAsync([DatabaseTenant(server, "tpl_bench")], set, options, null, new NullFleetSink()));
            NpgsqlConnection.ClearAllPools();
            var replayedDatabases = await Measure.TimeAsync(() => RequireAsync(new FleetProvisioner().ProvisionAsync(Databases(server, "replayed", tenantCount), set, options, null, new NullFleetSink())));
            var copiedDatabases = await Measure.TimeAsync(() => RequireAsync(new FleetProvisioner().ProvisionAsync(Databases(server, "copied", tenantCount), set, options, "tpl_bench", new NullFleetSink())));
            Report("database per tenant", tenantCount, copiedDatabases, replayedDatabases);
            NpgsqlConnection.ClearAllPools();
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void Report(string setup, int tenants, TimeSpan template, TimeSpan replay) =>
        Console.WriteLine($"{setup,-20} {tenants} tenants: from template {template.TotalMilliseconds,8:0} ms   replaying {replay.TotalMilliseconds,8:0} ms   ratio {replay / template,5:0.0}x");

    /// <summary>Tables with serial keys, indexes, a foreign key every fifth version, and seed rows: a typical app's history.</summary>
    private static string WriteMigrations(string folder, int count)
    {
        Directory.CreateDirectory(folder);
        for (var version = 1; version <= count; version++)
        {
            var sql = $"CREATE TABLE t_{version} (id bigserial PRIMARY KEY, name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), parent_id bigint);\n" +
                      $"CREATE INDEX ix_t_{version}_name ON t_{version} (name);\n" +
                      $"INSERT INTO t_{version} (name) VALUES ('seed {version}');\n";
            if (version % 5 == 0) sql += $"ALTER TABLE t_{version} ADD CONSTRAINT fk_t_{version}_parent FOREIGN KEY (parent_id) REFERENCES t_{version - 1} (id);\n";
            if (version % 7 == 0) sql += $"ALTER TABLE t_{version - 1} ADD COLUMN note_{version} text;\n";
            File.WriteAllText(Path.Combine(folder, $"V{version}__step_{version}.sql"), sql);
        }
        return folder;
    }

    private static async Task RequireAsync(Task<MigrationRunSummary> run)
    {
        var summary = await run;
        if (!summary.AllSucceeded) throw new InvalidOperationException($"provisioning failed: {summary}");
    }

    private static Tenant SchemaTenant(string connection, string schema) => new() { Name = schema, Engine = DatabaseEngine.Postgres, ConnectionString = connection, Schema = schema };

    private static List<Tenant> Schemas(string connection, string prefix, int count) =>
        Enumerable.Range(1, count).Select(i => SchemaTenant(connection, $"{prefix}_{i:D4}")).ToList();

    private static Tenant DatabaseTenant(PostgresServer server, string database) =>
        new() { Name = database, Engine = DatabaseEngine.Postgres, ConnectionString = server.ConnectionStringFor(database) };

    private static List<Tenant> Databases(PostgresServer server, string prefix, int count) =>
        Enumerable.Range(1, count).Select(i => DatabaseTenant(server, $"{prefix}_{i:D4}")).ToList();
}

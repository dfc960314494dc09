using Npgsql;
using TenantMigrations;
using TenantMigrations.Engine.Migrations;

/// <summary>
/// The baseline: what users write today around knex or Flyway. One tenant after another, a connection each,
/// each file in its own transaction with a history row, and a status query per tenant.
/// </summary>
internal static class HandWrittenLoop
{
    public static async Task MigrateAsync(IReadOnlyList<Tenant> tenants, MigrationSet set)
    {
        foreach (var tenant in tenants)
        {
            await using var connection = new NpgsqlConnection(tenant.GetConnectionString());
            await connection.OpenAsync();
            await ExecuteAsync(connection, $"CREATE SCHEMA IF NOT EXISTS \"{tenant.Schema}\"; SET search_path TO \"{tenant.Schema}\"; CREATE TABLE IF NOT EXISTS history (version text primary key, applied_at timestamptz)");
            var values = Placeholders.ValuesFor(tenant, set.Settings);
            foreach (var migration in set.Versioned.Concat(set.Repeatable))
            {
                var file = migration.FileFor(DatabaseEngine.Postgres)!;
                var sql = Placeholders.Render(file.Content, values, new TenantMigrations.Engine.Dialects.Postgres.PostgresDialect());
                if (file.Directives.Transaction)
                {
                    await using var transaction = await connection.BeginTransactionAsync();
                    await ExecuteAsync(connection, sql);
                    await ExecuteAsync(connection, $"INSERT INTO history VALUES ('{migration.Key}', now())");
                    await transaction.CommitAsync();
                }
                else
                {
                    foreach (var statement in TenantMigrations.Engine.Dialects.SqlStatementSplitter.Postgres.Split(sql)) await ExecuteAsync(connection, statement);
                    await ExecuteAsync(connection, $"INSERT INTO history VALUES ('{migration.Key}', now())");
                }
            }
        }
    }

    public static async Task StatusAsync(IReadOnlyList<Tenant> tenants)
    {
        foreach (var tenant in tenants)
        {
            await using var connection = new NpgsqlConnection(tenant.GetConnectionString());
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"SELECT max(version), count(*) FROM \"{tenant.Schema}\".history", connection);
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}

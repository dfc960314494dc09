using TenantMigrations.Engine.Commands;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Planning;
using TenantMigrations.Engine.Schema.Catalog;
using TenantMigrations.Engine.Schema.Drift;
using TenantMigrations.TestSupport;

namespace TenantMigrations.Engine.Tests.Drift;

/// <summary>
/// Live-schema drift on a real server of each engine: tenants migrated from the same folder, then changed by hand
/// the way operators do (an index added, a column dropped, a type changed, a table left behind).
/// </summary>
public abstract class DriftScenarios : IDisposable
{
    protected readonly TempFolder Folder = new();

    protected abstract Task<IReadOnlyList<Tenant>> CreateTenantsAsync(int count);

    protected abstract Task ExecuteAsync(Tenant tenant, string sql);

    /// <summary>Changes customers.name from varchar(100) to a 50-character type, as the engine allows.</summary>
    protected abstract string ChangeNameTypeSql { get; }

    /// <summary>The catalog's spelling of customers.name's reference type.</summary>
    protected abstract string ExpectedNameType { get; }

    protected string Migrations => Folder.Combine("migrations");

    public void Dispose()
    {
        Folder.Dispose();
        GC.SuppressFinalize(this);
    }

    protected void WriteSchemaMigration() => Folder.Write(Path.Combine("migrations", "V1__shop.sql"), """
        CREATE TABLE customers (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(100) NOT NULL);
        CREATE TABLE orders (
            id INTEGER NOT NULL PRIMARY KEY,
            customer_id INTEGER NOT NULL,
            note VARCHAR(200),
            total INTEGER DEFAULT 0,
            CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE
        );
        CREATE INDEX ix_orders_customer ON orders (customer_id);
        CREATE VIEW order_notes AS SELECT id, note FROM orders;
        """);

    protected async Task MigrateAsync(IReadOnlyList<Tenant> tenants)
    {
        var summary = await new FleetMigrator().MigrateAsync(tenants, MigrationSet.Load(Migrations), new MigrateOptions { LockTimeout = TimeSpan.FromSeconds(5), CreateMissing = true }, new NullFleetSink());
        Assert.Equal(tenants.Count, summary.Succeeded);
    }

    protected (SchemaDriftReport Report, DriftTestHost Host) Check(IReadOnlyList<Tenant> tenants, string reference, bool summary = false, string? suggestions = null, SchemaCatalog? catalog = null)
    {
        var host = new DriftTestHost();
        using var command = new SchemaDriftCommand(MigrationSet.Load(Migrations), 4, catalog: catalog) { ReferenceTenant = reference, Summary = summary, SuggestionFolder = suggestions };
        foreach (var tenant in tenants) command.Add(tenant, host);
        return (command.Run(host), host);
    }

    [Fact]
    public async Task A_fully_typed_folder_describes_the_live_schema_of_the_tenants_migrated_from_it()
    {
        Folder.Write(Path.Combine("migrations", "V1__shop.json"), """
            { "operations": [
              { "op": "createTable", "table": "customers", "columns": [
                  { "name": "id", "type": "Int", "primaryKey": true },
                  { "name": "name", "type": "String", "length": 100, "nullable": false } ] },
              { "op": "createTable", "table": "orders", "columns": [
                  { "name": "id", "type": "Int", "primaryKey": true },
                  { "name": "customer_id", "type": "Int", "nullable": false,
                    "references": { "table": "customers", "column": "id", "onDelete": "cascade" } },
                  { "name": "note", "type": "String", "length": 200 } ] },
              { "op": "createIndex", "table": "orders", "name": "ix_orders_customer", "columns": ["customer_id"] } ] }
            """);
        Folder.Write(Path.Combine("migrations", "V2__order_status.json"), """
            { "operations": [
              { "op": "addColumn", "table": "orders",
                "column": { "name": "status", "type": "String", "length": 16, "nullable": false, "default": "open" },
                "backfill": { "expression": "'open'", "batchSize": 100 } } ] }
            """);
        var tenants = await CreateTenantsAsync(3);
        await MigrateAsync(tenants.Take(2).ToList());
        var atVersionOne = await new FleetMigrator().MigrateAsync([tenants[2]], MigrationSet.Load(Migrations), new MigrateOptions { LockTimeout = TimeSpan.FromSeconds(5), CreateMissing = true, Plan = new PlanOptions { TargetVersion = MigrationVersion.Parse("1") } }, new NullFleetSink());
        Assert.Equal(1, atVersionOne.Succeeded);
        await ExecuteAsync(tenants[1], "CREATE INDEX ix_tmp ON orders (note)");

        var host = new DriftTestHost();
        using var command = new SchemaDriftCommand(MigrationSet.Load(Migrations), 4) { TypedReference = true };
        foreach (var tenant in tenants) command.Add(tenant, host);
        var report = command.Run(host);

        Assert.Empty(host.Errors);
        var checks = report.Checks.ToDictionary(c => c.TenantName);
        Assert.True(checks[tenants[0].Name].Status == SchemaCheckStatus.InSync, string.Join("; ", checks[tenants[0].Name].Differences.Select(d => d.Description)));
        Assert.True(checks[tenants[2].Name].Status == SchemaCheckStatus.InSync, string.Join("; ", checks[tenants[2].Name].Differences.Select(d => d.Description)));
        Assert.Equal("1", checks[tenants[2].Name].Version);
        var drifted = checks[tenants[1].Name];
        Assert.Equal(SchemaCheckStatus.Drifted, drifted.Status);
        var difference = Assert.Single(drifted.Differences);
        Assert.Equal(("Extra", "Index", "orders.ix_tmp"), (difference.Kind.ToString(), difference.ObjectType.ToString(), difference.Name));
    }

    [Fact]
    public void A_typed_reference_refuses_a_folder_with_plain_sql_naming_the_file()
    {
        WriteSchemaMigration();
        var host = new DriftTestHost();
        using var command = new SchemaDriftCommand(MigrationSet.Load(Migrations), 4) { TypedReference = true };
        var refused = Assert.Throws<CommandTerminatingException>(() => command.Run(host));
        Assert.Equal(DriftErrorIds.NoSchemaReference, refused.Error.ErrorId);
        Assert.Contains("V1__shop.sql", refused.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Drift_finds_an_added_index_a_dropped_column_a_changed_type_and_an_extra_table()
    {
        WriteSchemaMigration();
        var tenants = await CreateTenantsAsync(5);
        await MigrateAsync(tenants);
        await ExecuteAsync(tenants[1], "CREATE INDEX ix_tmp ON orders (note)");
        await ExecuteAsync(tenants[2], "ALTER TABLE orders DROP COLUMN total");
        await ExecuteAsync(tenants[3], ChangeNameTypeSql);
        await ExecuteAsync(tenants[4], "CREATE TABLE tmp_import (id INTEGER)");

        var suggestions = Folder.Combine("suggestions");
        var (report, host) = Check(tenants, tenants[0].Name, suggestions: suggestions);

        Assert.Empty(host.Errors);
        Assert.Equal(5, host.Objects.OfType<TenantSchemaCheck>().Count());
        var checks = report.Checks;
        Assert.Equal(SchemaCheckStatus.InSync, checks[0].Status);
        Assert.Empty(checks[0].Differences);
        Assert.All(checks.Skip(1), c => Assert.Equal(SchemaCheckStatus.Drifted, c.Status));
        Assert.All(checks, c => Assert.Equal("1", c.Version));

        var index = Assert.Single(checks[1].Differences);
        Assert.Equal((SchemaDifferenceKind.Extra, SchemaObjectType.Index, "orders.ix_tmp"), (index.Kind, index.ObjectType, index.Name));
        Assert.Equal("extra index ix_tmp on orders", index.Description);
        Assert.Null(index.Expected);

        var column = Assert.Single(checks[2].Differences);
        Assert.Equal((SchemaDifferenceKind.Missing, SchemaObjectType.Column, "orders.total"), (column.Kind, column.ObjectType, column.Name));
        Assert.Null(column.Actual);

        var type = Assert.Single(checks[3].Differences);
        Assert.Equal((SchemaDifferenceKind.Changed, SchemaObjectType.Column, "customers.name"), (type.Kind, type.ObjectType, type.Name));
        Assert.StartsWith(ExpectedNameType, type.Expected);
        Assert.DoesNotContain(ExpectedNameType, type.Actual);
        Assert.StartsWith("column customers.name is ", type.Description);

        var table = Assert.Single(checks[4].Differences);
        Assert.Equal((SchemaDifferenceKind.Extra, SchemaObjectType.Table, "tmp_import"), (table.Kind, table.ObjectType, table.Name));

        Assert.Equal(4, report.Classes.Count(c => c.Status == SchemaCheckStatus.Drifted));
        Assert.True(report.HasDrift);
        var indexClass = report.Classes.Single(c => c.Description == "extra index ix_tmp on orders");
        var script = await File.ReadAllTextAsync(indexClass.SuggestionPath!);
        Assert.StartsWith("-- SUGGESTION, review before running.", script);
        Assert.Contains("DROP INDEX", script);
        Assert.Contains(tenants[1].Name, script);
        var tableScript = await File.ReadAllTextAsync(report.Classes.Single(c => c.Description == "extra table tmp_import").SuggestionPath!);
        Assert.Matches(@"(?m)^-- DROP TABLE", tableScript);
        Assert.Equal(4, Directory.GetFiles(suggestions, "*.sql").Length);
    }

    [Fact]
    public async Task A_tenant_at_another_version_is_reported_as_not_compared_rather_than_drifted()
    {
        WriteSchemaMigration();
        var tenants = await CreateTenantsAsync(3);
        await MigrateAsync(tenants);
        Folder.Write(Path.Combine("migrations", "V2__audit.sql"), "CREATE TABLE audit (id INTEGER NOT NULL PRIMARY KEY);");
        await MigrateAsync([tenants[0], tenants[1]]);

        var (report, host) = Check(tenants, tenants[0].Name, summary: true);

        Assert.Empty(host.Errors);
        var behind = report.Checks[2];
        Assert.Equal(SchemaCheckStatus.VersionMismatch, behind.Status);
        Assert.Equal("not compared: at version 1, reference at 2", behind.Message);
        Assert.Empty(behind.Differences);
        Assert.Equal(SchemaCheckStatus.InSync, report.Checks[1].Status);
        Assert.False(report.HasDrift);
        var classes = host.Objects.Cast<SchemaDriftClass>().ToList();
        Assert.Equal([SchemaCheckStatus.VersionMismatch, SchemaCheckStatus.InSync], classes.Select(c => c.Status));
        Assert.Equal([tenants[2].Name], classes[0].Tenants);
    }

    [Fact]
    public async Task The_journal_table_and_the_tool_tables_are_not_part_of_the_schema()
    {
        WriteSchemaMigration();
        var tenants = await CreateTenantsAsync(1);
        await MigrateAsync(tenants);

        var reads = await new SchemaCatalog().ReadAsync(tenants, "tenant_migrations_history", new MigrateOptions(), new NullFleetSink(), 1, CancellationToken.None);

        var snapshot = reads[tenants[0]].Snapshot!;
        Assert.Equal(["customers", "orders"], snapshot.Tables.Select(t => t.Name));
        var orders = snapshot.Tables[1];
        Assert.Equal(["id", "customer_id", "note", "total"], orders.Columns.Select(c => c.Name));
        Assert.Equal(["id"], orders.PrimaryKey);
        Assert.Contains(orders.Indexes, i => i.Name == "ix_orders_customer" && i.Columns.SequenceEqual(["customer_id"]) && !i.Unique);
        var key = Assert.Single(orders.ForeignKeys);
        Assert.Equal(("customers", "cascade"), (key.ReferencedTable, key.OnDelete));
        Assert.Equal(["customer_id"], key.Columns);
        Assert.Equal("order_notes", Assert.Single(snapshot.Views).Name);
        Assert.False(orders.Columns.Single(c => c.Name == "customer_id").Nullable);
        Assert.True(orders.Columns.Single(c => c.Name == "note").Nullable);
    }

    [Fact]
    public async Task An_unreadable_tenant_is_a_SchemaUnreadable_error_and_the_others_are_still_compared()
    {
        WriteSchemaMigration();
        var tenants = await CreateTenantsAsync(2);
        await MigrateAsync(tenants);
        var broken = UnreadableTenant();

        var (report, host) = Check([.. tenants, broken], tenants[0].Name);

        var error = Assert.Single(host.Errors);
        Assert.Equal("SchemaUnreadable", error.ErrorId);
        Assert.Contains(broken.Name, error.Message);
        Assert.DoesNotContain("Secr3t", error.Message);
        Assert.Equal(SchemaCheckStatus.Unreadable, report.Checks[2].Status);
        Assert.Equal(SchemaCheckStatus.InSync, report.Checks[1].Status);
    }

    /// <summary>A tenant whose server or file is not there; its connection string holds a password that must never show.</summary>
    protected abstract Tenant UnreadableTenant();
}

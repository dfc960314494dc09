using TenantMigrations.Engine.Execution;

namespace TenantMigrations.Engine.Tests;

/// <summary>
/// Placeholders are never a way in, on every engine: a value that would end its statement and start another either
/// makes the tenant Invalid before anything runs, or is quoted by the dialect. A marker table must survive every attempt.
/// </summary>
public abstract partial class FleetScenarios
{
    private const string Payload = "x'); DROP TABLE marker; --";

    /// <summary>Fresh tenants on version 1, which created their marker table.</summary>
    private async Task<IReadOnlyList<Tenant>> TenantsWithMarkerAsync(int count = 1)
    {
        var tenants = await CreateTenantsAsync(count);
        WriteMigration("V1__marker.sql", "CREATE TABLE marker (id INTEGER);");
        await MigrateAsync(tenants);
        foreach (var tenant in tenants) Assert.True(await TableExistsAsync(tenant, "marker"));
        return tenants;
    }

    private async Task<Tenant> TenantWithMarkerAsync() => (await TenantsWithMarkerAsync())[0];

    private async Task<TenantMigrationResult> MigrateOneAsync(Tenant tenant) => (await MigrateAsync([tenant])).Results.Single();

    [Fact]
    public async Task A_tenant_name_that_would_inject_sql_makes_the_tenant_invalid_and_nothing_runs()
    {
        var tenant = await TenantWithMarkerAsync();
        tenant.Name = Payload;
        WriteMigration("V2__names.sql", "CREATE TABLE names (name VARCHAR(100));\nINSERT INTO names (name) VALUES ('${tenant}');");

        var result = await MigrateOneAsync(tenant);

        Assert.Equal(TenantState.Invalid, result.StateAfter);
        Assert.Equal(ErrorIds.InvalidMigration, result.Error!.ErrorId);
        Assert.Contains("${tenant}", result.Error.Message);
        Assert.Contains("V2__names.sql", result.Error.Message);
        Assert.True(await TableExistsAsync(tenant, "marker"));
        Assert.False(await TableExistsAsync(tenant, "names"));
    }

    [Fact]
    public async Task A_property_or_settings_value_that_would_inject_sql_is_refused_in_a_bare_placeholder()
    {
        var tenant = await TenantWithMarkerAsync();
        tenant.Properties["region"] = Payload;
        WriteMigration("V2__region.sql", "CREATE TABLE regions (name VARCHAR(100));\nINSERT INTO regions (name) VALUES ('${region}');");

        var fromProperty = await MigrateOneAsync(tenant);
        Assert.Equal(TenantState.Invalid, fromProperty.StateAfter);
        Assert.Contains("${region}", fromProperty.Error!.Message);

        tenant.Properties.Remove("region");
        Folder.Write(Path.Combine("migrations", "tenantmigrations.json"), """{ "placeholders": { "region": "x'); DROP TABLE marker; --" } }""");
        var fromSettings = await MigrateOneAsync(tenant);
        Assert.Equal(TenantState.Invalid, fromSettings.StateAfter);
        Assert.Contains("${region}", fromSettings.Error!.Message);

        Assert.True(await TableExistsAsync(tenant, "marker"));
        Assert.False(await TableExistsAsync(tenant, "regions"));
    }

    [Fact]
    public async Task A_literal_placeholder_is_quoted_by_the_dialect_and_stores_the_value_exactly()
    {
        var tenant = await TenantWithMarkerAsync();
        const string nasty = "O'Brien\\'); DROP TABLE marker; -- \\\\ ; $$ \" `";
        tenant.Properties["display"] = nasty;
        WriteMigration("V2__display.sql", "CREATE TABLE display (name VARCHAR(200));\nINSERT INTO display (name) VALUES (${display:literal});");

        var result = await MigrateOneAsync(tenant);

        Assert.True(result.Succeeded, result.Error?.ToString());
        Assert.Equal(nasty, await ScalarAsync(tenant, "SELECT name FROM display"));
        Assert.True(await TableExistsAsync(tenant, "marker"));
    }

    [Fact]
    public async Task An_identifier_placeholder_is_quoted_and_an_unsafe_one_makes_the_tenant_invalid()
    {
        var (tenant, other) = await TenantsWithMarkerAsync(2) is [var first, var second] ? (first, second) : throw new InvalidOperationException();
        tenant.Properties["audit"] = "audit_eu";
        WriteMigration("V2__audit.sql", "CREATE TABLE ${audit:identifier} (id INTEGER);");

        Assert.True((await MigrateOneAsync(tenant)).Succeeded);
        Assert.True(await TableExistsAsync(tenant, "audit_eu"));

        other.Properties["audit"] = "a\" (id int); DROP TABLE marker; --";
        var refused = await MigrateOneAsync(other);
        Assert.Equal(TenantState.Invalid, refused.StateAfter);
        Assert.Contains("${audit:identifier}", refused.Error!.Message);
        Assert.True(await TableExistsAsync(other, "marker"));
    }

    [Fact]
    public async Task A_raw_placeholder_takes_its_value_from_the_settings_file_only()
    {
        var (tenant, other) = await TenantsWithMarkerAsync(2) is [var first, var second] ? (first, second) : throw new InvalidOperationException();
        Folder.Write(Path.Combine("migrations", "tenantmigrations.json"), """{ "placeholders": { "amountType": "DECIMAL(10, 2) DEFAULT 0" } }""");
        WriteMigration("V2__raw.sql", "CREATE TABLE invoices (id INTEGER, amount ${amountType:raw});");

        Assert.True((await MigrateOneAsync(tenant)).Succeeded);
        Assert.True(await TableExistsAsync(tenant, "invoices"));

        other.Properties["amountType"] = "INTEGER); DROP TABLE marker; --";
        var refused = await MigrateOneAsync(other);
        Assert.Equal(TenantState.Invalid, refused.StateAfter);
        Assert.Contains("${amountType:raw}", refused.Error!.Message);
        Assert.True(await TableExistsAsync(other, "marker"));
        Assert.False(await TableExistsAsync(other, "invoices"));
    }

    [Fact]
    public async Task Tenant_names_with_control_characters_or_over_200_characters_are_invalid()
    {
        WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);");
        var tenants = (await CreateTenantsAsync(2)).ToList();
        tenants[0].Name = "bad\u0007name";
        tenants[1].Name = new string('n', 201);

        var (summary, results) = await MigrateAsync(tenants);

        Assert.All(results, r => Assert.Equal((TenantState.Invalid, ErrorIds.InvalidTenant), (r.StateAfter, r.Error!.ErrorId)));
        Assert.Equal(2, summary.Blocked);
        Assert.All(tenants, t => Assert.False(TableExistsAsync(t, "a").GetAwaiter().GetResult()));
    }
}

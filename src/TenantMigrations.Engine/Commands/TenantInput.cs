using System.Collections;
using System.Globalization;
using Microsoft.Data.Sqlite;
using TenantMigrations.Engine.Tenants;

namespace TenantMigrations.Engine.Commands;

/// <summary>
/// Turns whatever arrives through the pipeline into a tenant: a Tenant, anything that carries one (status, result,
/// script, test or repair objects), or a property bag such as an Import-Csv row or a hashtable with
/// Name, Engine, ConnectionString, Schema and Tags (other properties become placeholder values).
/// </summary>
public static class TenantInput
{
    public static Tenant FromObject(object? value, string baseFolder)
    {
        switch (value)
        {
            case null:
                throw new TenantSourceException("the input", "a tenant cannot be null.");
            case Tenant tenant:
                return WithSqlitePathResolved(tenant, baseFolder);
            case TenantMigrationStatus status:
                return status.Tenant;
            case TenantMigrationResult result:
                return result.Tenant;
            case TenantMigrationScript script:
                return script.Tenant;
            case TenantMigrationTestResult test:
                return test.Tenant;
            case TenantRepairResult repair:
                return repair.Tenant;
            case string text:
                throw new TenantSourceException("the input", $"'{text}' is a string, not a tenant: pipe objects from Get-Tenant or Import-Csv, or build one with New-TenantObject.");
            case IDictionary dictionary:
                return FromProperties(dictionary.Keys.Cast<object>().Select(k => new KeyValuePair<string, object?>(Convert.ToString(k, CultureInfo.InvariantCulture) ?? "", dictionary[k])), baseFolder);
            case IEnumerable<KeyValuePair<string, object?>> properties:
                return FromProperties(properties, baseFolder);
            default:
                throw new TenantSourceException("the input", $"a {value.GetType().Name} is not a tenant: it needs Name, Engine and ConnectionString properties.");
        }
    }

    /// <summary>
    /// Input that is not a tenant, kept as a marked tenant so that the command reports it as that input's own
    /// InvalidTenant error and carries on with the rest of the pipeline.
    /// </summary>
    public static Tenant Invalid(object? input, string? name, string problem) => new()
    {
        Name = string.IsNullOrWhiteSpace(name) ? "(not a tenant)" : name,
        InputProblem = $"Pipeline input is not a valid tenant: {problem}",
        Input = input,
    };

    /// <summary>
    /// A tenant built in a script may name its SQLite file relative to where the script stands: that is the given
    /// (PowerShell) location, never the process's directory, which is where the engine would otherwise look.
    /// </summary>
    public static Tenant WithSqlitePathResolved(Tenant tenant, string baseFolder)
    {
        if (tenant.Engine != DatabaseEngine.Sqlite) return tenant;
        SqliteConnectionStringBuilder builder;
        try
        {
            builder = new SqliteConnectionStringBuilder(tenant.GetConnectionString());
        }
        catch (ArgumentException)
        {
            return tenant;
        }
        var file = builder.DataSource;
        if (string.IsNullOrEmpty(file) || file == ":memory:" || file.StartsWith("file:", StringComparison.OrdinalIgnoreCase) || Path.IsPathRooted(file)) return tenant;
        builder.DataSource = Path.GetFullPath(file, baseFolder);
        var resolved = tenant.Clone();
        resolved.ConnectionString = builder.ConnectionString;
        return resolved;
    }

    /// <summary>New-TenantObject: a tenant from explicit values, the credential merged into its connection string.</summary>
    public static Tenant Create(string name, DatabaseEngine engine, string connectionString, string? schema, IReadOnlyList<string> tags,
        IReadOnlyDictionary<string, string> properties, string? userName, string? password, string baseFolder)
    {
        var row = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in properties) row[key] = value;
        row["name"] = name;
        row["engine"] = engine.ToString();
        row["connectionString"] = connectionString;
        row["schema"] = schema;
        row["tags"] = string.Join(",", tags);
        var tenant = TenantSources.FromRow(row, "New-TenantObject", baseFolder);
        tenant.Source = null;
        return userName is null || engine == DatabaseEngine.Sqlite ? tenant : tenant.WithCredential(userName, password ?? "");
    }

    /// <summary>A tenant from named values; a 'Tenant' value that already is a tenant wins.</summary>
    public static Tenant FromProperties(IEnumerable<KeyValuePair<string, object?>> properties, string baseFolder)
    {
        var list = properties.ToList();
        if (list.FirstOrDefault(p => string.Equals(p.Key, "Tenant", StringComparison.OrdinalIgnoreCase)).Value is Tenant carried) return carried;
        var row = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in list)
        {
            if (string.Equals(key, "Properties", StringComparison.OrdinalIgnoreCase) && value is IDictionary nested)
            {
                foreach (DictionaryEntry entry in nested) row[Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? ""] = Text(entry.Value);
                continue;
            }
            row[key] = Text(value);
        }
        var source = $"pipeline object '{(row.TryGetValue("name", out var name) ? name : "?")}'";
        return TenantSources.FromRow(row, source, baseFolder);
    }

    private static string? Text(object? value) => value switch
    {
        null => null,
        string text => text,
        IEnumerable items => string.Join(",", items.Cast<object?>().Select(i => Convert.ToString(i, CultureInfo.InvariantCulture))),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture),
    };
}

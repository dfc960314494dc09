using System.Data.Common;

namespace TenantMigrations;

/// <summary>
/// One tenant: a schema or a database that carries its own migration journal.
/// The connection string is write-only in effect: reading it returns a redacted copy, so a tenant can be
/// displayed, logged or serialized without revealing the password.
/// </summary>
public sealed class Tenant
{
    private string connectionString = "";

    public string Name { get; set; } = "";

    public DatabaseEngine Engine { get; set; } = DatabaseEngine.Sqlite;

    /// <summary>The connection string with every password masked.</summary>
    public string ConnectionString
    {
        get => ConnectionStringRedactor.Redact(connectionString);
        set => connectionString = value ?? "";
    }

    public string? Schema { get; set; }

    public string[] Tags { get; set; } = [];

    public Dictionary<string, string> Properties { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Where the tenant came from (a file, a glob, a catalog), for messages.</summary>
    public string? Source { get; set; }

    /// <summary>The real connection string, for the engine only.</summary>
    public string GetConnectionString() => connectionString;

    /// <summary>Returns a copy whose connection string carries the given user and password.</summary>
    public Tenant WithCredential(string userName, string password)
    {
        var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
        var userKey = Engine == DatabaseEngine.Postgres ? "Username" : "User ID";
        foreach (var key in new[] { "user", "user id", "uid", "username" })
        {
            if (builder.ContainsKey(key)) builder.Remove(key);
        }
        foreach (var key in new[] { "password", "pwd" })
        {
            if (builder.ContainsKey(key)) builder.Remove(key);
        }
        builder[userKey] = userName;
        builder["Password"] = password;
        var copy = Clone();
        copy.connectionString = builder.ConnectionString;
        return copy;
    }

    public Tenant Clone() => new()
    {
        Name = Name,
        Engine = Engine,
        connectionString = connectionString,
        Schema = Schema,
        Tags = [.. Tags],
        Properties = new Dictionary<string, string>(Properties, StringComparer.OrdinalIgnoreCase),
        Source = Source,
    };

    public override string ToString() => Name;
}

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

    /// <summary>The connection string with every password masked, its keys spelled as given.</summary>
    public string ConnectionString
    {
        get => ConnectionStringParts.Redacted(connectionString);
        set => connectionString = value ?? "";
    }

    public string? Schema { get; set; }

    public string[] Tags { get; set; } = [];

    public Dictionary<string, string> Properties { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Where the tenant came from (a file, a glob, a catalog), for messages.</summary>
    public string? Source { get; set; }

    /// <summary>
    /// Set when pipeline input could not be turned into a tenant: the command reports it as that input's own
    /// InvalidTenant error instead of failing the whole pipeline.
    /// </summary>
    internal string? InputProblem { get; init; }

    /// <summary>The pipeline input that <see cref="InputProblem"/> is about.</summary>
    internal object? Input { get; init; }

    /// <summary>
    /// Why the tenant's password could not be resolved (an encrypted catalog column, a named secret), never the value:
    /// every connection to the tenant then fails, so the tenant's result is Unreachable with this reason.
    /// </summary>
    public string? CredentialProblem { get; internal set; }

    /// <summary>The real connection string, for the engine only.</summary>
    public string GetConnectionString() => connectionString;

    // The very string instance that a tenant source checked, and for which engine: a later change of either
    // (WithCredential, a new ConnectionString, another Engine) no longer matches, so the dialect checks it again.
    private (DatabaseEngine Engine, string ConnectionString)? checkedConnectionString;

    /// <summary>Records that the current connection string passed the engine's check, so it is not parsed again.</summary>
    internal void MarkConnectionStringChecked() => checkedConnectionString = (Engine, connectionString);

    internal bool IsConnectionStringChecked =>
        checkedConnectionString is { } marked && marked.Engine == Engine && ReferenceEquals(marked.ConnectionString, connectionString);

    /// <summary>Returns a copy whose connection string carries the given user and password.</summary>
    public Tenant WithCredential(string userName, string password)
    {
        var replaced = new HashSet<string>(["user", "user id", "uid", "username", "password", "pwd"], StringComparer.OrdinalIgnoreCase);
        var parts = ConnectionStringParts.Parse(connectionString).Where(p => !replaced.Contains(p.Key)).ToList();
        parts.Add(new(Engine == DatabaseEngine.Postgres ? "Username" : "User ID", userName));
        parts.Add(new("Password", password));
        var copy = Clone();
        copy.connectionString = ConnectionStringParts.Format(parts);
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
        CredentialProblem = CredentialProblem,
        checkedConnectionString = checkedConnectionString,
    };

    public override string ToString() => Name;
}

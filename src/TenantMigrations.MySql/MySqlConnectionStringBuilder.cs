using System.Data.Common;
using System.Globalization;

namespace TenantMigrations.MySql;

/// <summary>
/// Connection-string keys as MySqlConnector spells them (case-insensitive, with the usual aliases).
/// Unknown keys throw <see cref="ArgumentException"/>. <see cref="ToString"/> never includes the password.
/// </summary>
public sealed class MySqlConnectionStringBuilder : DbConnectionStringBuilder
{
    static readonly Dictionary<string, string> CanonicalKeys = BuildAliases();

    public MySqlConnectionStringBuilder() { }

    public MySqlConnectionStringBuilder(string? connectionString) => ConnectionString = connectionString ?? "";

    public string Server { get => GetString(nameof(Server), "localhost"); set => this[nameof(Server)] = value; }
    public uint Port { get => (uint)GetInt(nameof(Port), 3306); set => this[nameof(Port)] = value; }
    public string Database { get => GetString(nameof(Database), ""); set => this[nameof(Database)] = value; }
    public string UserID { get => GetString("User ID", ""); set => this["User ID"] = value; }
    public string Password { get => GetString(nameof(Password), ""); set => this[nameof(Password)] = value; }
    public MySqlSslMode SslMode { get => GetEnum(nameof(SslMode), MySqlSslMode.Preferred); set => this[nameof(SslMode)] = value.ToString(); }
    public string SslCa { get => GetString(nameof(SslCa), ""); set => this[nameof(SslCa)] = value; }
    /// <summary>Seconds; 0 = wait forever.</summary>
    public uint ConnectionTimeout { get => (uint)GetInt("Connection Timeout", 15); set => this["Connection Timeout"] = value; }
    /// <summary>Seconds; 0 = no timeout.</summary>
    public uint DefaultCommandTimeout { get => (uint)GetInt("Default Command Timeout", 30); set => this["Default Command Timeout"] = value; }
    public string CharacterSet { get => GetString("CharSet", "utf8mb4"); set => this["CharSet"] = value; }
    public bool AllowPublicKeyRetrieval { get => GetBool("Allow Public Key Retrieval", false); set => this["Allow Public Key Retrieval"] = value; }
    public string ServerRsaPublicKeyFile { get => GetString(nameof(ServerRsaPublicKeyFile), ""); set => this[nameof(ServerRsaPublicKeyFile)] = value; }
    public bool PersistSecurityInfo { get => GetBool("Persist Security Info", false); set => this["Persist Security Info"] = value; }

    [System.Diagnostics.CodeAnalysis.AllowNull]
    public override object this[string keyword]
    {
        get => base[Canonical(keyword)];
        set
        {
            var key = Canonical(keyword);
            if (value is null) base.Remove(key);
            else base[key] = Validate(key, value);
        }
    }

    /// <summary>Whether the builder knows the keyword (or one of its aliases), whether or not it is set.</summary>
    public static bool IsKeyword(string keyword) => CanonicalKeys.ContainsKey(keyword.Trim());

    public override bool ContainsKey(string keyword) => CanonicalKeys.TryGetValue(keyword, out var key) && base.ContainsKey(key);

    public override bool Remove(string keyword) => CanonicalKeys.TryGetValue(keyword, out var key) && base.Remove(key);

    public override bool TryGetValue(string keyword, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out object? value)
    {
        if (CanonicalKeys.TryGetValue(keyword, out var key)) return base.TryGetValue(key, out value);
        value = null;
        return false;
    }

    /// <summary>The connection string without the password.</summary>
    public override string ToString() => WithoutPassword().ConnectionString;

    internal MySqlConnectionStringBuilder WithoutPassword()
    {
        var copy = new MySqlConnectionStringBuilder(ConnectionString);
        copy.Remove(nameof(Password));
        return copy;
    }

    static string Canonical(string keyword) =>
        CanonicalKeys.TryGetValue(keyword?.Trim() ?? "", out var key)
            ? key
            : throw new ArgumentException($"Connection string keyword '{keyword}' is not supported.", nameof(keyword));

    static string Validate(string key, object value)
    {
        var text = Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
        switch (key)
        {
            case "Port" or "Connection Timeout" or "Default Command Timeout":
                if (!uint.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
                    throw new ArgumentException($"Connection string keyword '{key}' needs a non-negative integer, got '{text}'.");
                break;
            case "SslMode":
                if (!Enum.TryParse<MySqlSslMode>(text.Replace(" ", ""), ignoreCase: true, out var mode) || !Enum.IsDefined(mode))
                    throw new ArgumentException($"Connection string keyword 'SslMode' does not accept '{text}' (None, Preferred, Required, VerifyCA, VerifyFull).");
                return mode.ToString();
            case "Allow Public Key Retrieval" or "Persist Security Info":
                if (!TryParseBool(text, out _))
                    throw new ArgumentException($"Connection string keyword '{key}' needs true or false, got '{text}'.");
                break;
            case "CharSet":
                if (text.ToLowerInvariant() is not ("utf8mb4" or "utf8" or "utf8mb3"))
                    throw new ArgumentException($"CharSet '{text}' is not supported; use utf8mb4.");
                break;
        }
        return text;
    }

    string GetString(string key, string fallback) => base.TryGetValue(key, out var value) && value is not null ? value.ToString()! : fallback;

    int GetInt(string key, int fallback) =>
        base.TryGetValue(key, out var value) && value is not null ? int.Parse(value.ToString()!, CultureInfo.InvariantCulture) : fallback;

    bool GetBool(string key, bool fallback) =>
        base.TryGetValue(key, out var value) && value is not null && TryParseBool(value.ToString()!, out var result) ? result : fallback;

    TEnum GetEnum<TEnum>(string key, TEnum fallback) where TEnum : struct, Enum =>
        base.TryGetValue(key, out var value) && value is not null ? Enum.Parse<TEnum>(value.ToString()!, true) : fallback;

    static bool TryParseBool(string text, out bool value)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "true" or "yes" or "1": value = true; return true;
            case "false" or "no" or "0": value = false; return true;
            default: value = false; return false;
        }
    }

    static Dictionary<string, string> BuildAliases()
    {
        var aliases = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        void Add(string canonical, params string[] others)
        {
            aliases[canonical] = canonical;
            foreach (var other in others) aliases[other] = canonical;
        }
        Add("Server", "Host", "Data Source", "DataSource", "Address", "Addr", "Network Address");
        Add("Port");
        Add("Database", "Initial Catalog");
        Add("User ID", "UserID", "Uid", "User", "Username", "User Name");
        Add("Password", "Pwd");
        Add("SslMode", "Ssl Mode", "Ssl-Mode");
        Add("SslCa", "Ssl Ca", "Ssl-Ca");
        Add("Connection Timeout", "Connect Timeout", "ConnectionTimeout", "ConnectTimeout");
        Add("Default Command Timeout", "DefaultCommandTimeout", "Command Timeout");
        Add("CharSet", "Character Set", "CharacterSet");
        Add("Allow Public Key Retrieval", "AllowPublicKeyRetrieval");
        Add("ServerRsaPublicKeyFile", "Server RSA Public Key File");
        Add("Persist Security Info", "PersistSecurityInfo");
        return aliases;
    }
}

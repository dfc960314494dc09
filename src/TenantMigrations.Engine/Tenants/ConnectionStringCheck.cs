using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace TenantMigrations.Engine.Tenants;

/// <summary>
/// Checks a tenant's connection string with its engine's own builder. The drivers' messages quote the text they
/// could not read (with an unquoted ';' in a password, that text is the rest of the password), so a problem is
/// described here only by the known key after which the string breaks; no value and no unknown key that may be a
/// password fragment is ever shown.
/// </summary>
public static class ConnectionStringCheck
{
    /// <summary>Throws an ArgumentException whose message starts with <paramref name="subject"/> and holds no part of a value.</summary>
    public static void Require(DatabaseEngine engine, string connectionString, string subject)
    {
        var problem = ProblemOf(engine, connectionString);
        if (problem is not null) throw new ArgumentException($"{subject}: {problem}");
    }

    /// <summary>What is wrong with the connection string, in words that quote none of its values; null when it is fine.</summary>
    public static string? ProblemOf(DatabaseEngine engine, string connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString)) return "the connection string is empty.";
        var keywords = engine == DatabaseEngine.MySql ? null : Build(engine, "");
        string? previousKey = null;
        foreach (var segment in ConnectionStringSegments.Parse(connectionString))
        {
            var afterSecret = previousKey is not null && ConnectionStringRedactor.IsSecretKey(previousKey);
            if (!segment.WellFormed || !IsKnownKey(keywords, segment.Key))
            {
                if (afterSecret) return $"the connection string is malformed after '{previousKey}': a value holding ';' must be quoted (put the whole value in single or double quotes).";
                var where = previousKey is null ? "at its start" : $"after '{previousKey}'";
                if (!segment.WellFormed) return $"the connection string is malformed {where}: expected key=value pairs separated by ';' (quote a value that holds ';').";
                return $"the connection string has an unknown key '{segment.Key}' ({where}) for {engine}.";
            }
            previousKey = segment.Key;
        }
        try
        {
            _ = Build(engine, connectionString);
            return null;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException or OverflowException or KeyNotFoundException)
        {
            var badKey = ConnectionStringSegments.Parse(connectionString).FirstOrDefault(s => !Accepts(engine, s))?.Key;
            return badKey is null
                ? $"the connection string is not valid for {engine} (its values are not shown)."
                : $"the value of '{badKey}' in the connection string is not valid for {engine} (the value is not shown).";
        }
    }

    private static DbConnectionStringBuilder Build(DatabaseEngine engine, string connectionString) => engine switch
    {
        DatabaseEngine.Postgres => new NpgsqlConnectionStringBuilder(connectionString),
        DatabaseEngine.Sqlite => new SqliteConnectionStringBuilder(connectionString),
        DatabaseEngine.MySql => new MySql.MySqlConnectionStringBuilder(connectionString),
        _ => throw new ArgumentOutOfRangeException(nameof(engine), engine, "unknown engine"),
    };

    /// <param name="keywords">An empty builder of the engine, which knows its keywords (null for MySQL).</param>
    private static bool IsKnownKey(DbConnectionStringBuilder? keywords, string key)
    {
        if (key.Length == 0) return false;
        return keywords is not null ? keywords.ContainsKey(key) : MySql.MySqlConnectionStringBuilder.IsKeyword(key);
    }

    private static bool Accepts(DatabaseEngine engine, ConnectionStringSegment segment)
    {
        try
        {
            var builder = Build(engine, "");
            builder[segment.Key] = segment.Value;
            _ = Build(engine, builder.ConnectionString);
            return true;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException or OverflowException or KeyNotFoundException)
        {
            return false;
        }
    }
}

using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.FileSystemGlobbing;
using Microsoft.Data.Sqlite;
using Npgsql;
using TenantMigrations.Engine.Dialects.Sqlite;
using TenantMigrations.Engine.Execution;

namespace TenantMigrations.Engine.Tenants;

/// <summary>Where tenants come from: a JSON or CSV file, a glob of SQLite files, PostgreSQL schemas, or a catalog query.</summary>
public static class TenantSources
{
    /// <summary>
    /// Reads tenants from a .json file (an array of objects, or {"tenants": [...]}) or a .csv file with a header.
    /// Known fields: name, engine, connectionString, schema, tags; any other field becomes a property.
    /// Relative SQLite paths are resolved against the file's folder.
    /// </summary>
    public static IReadOnlyList<Tenant> FromFile(string path)
    {
        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath)) throw new TenantSourceException(fullPath, "the tenants file does not exist.");
        var rows = Path.GetExtension(fullPath).ToLowerInvariant() switch
        {
            ".json" => ReadJsonRows(fullPath),
            ".csv" => ReadCsvRows(fullPath),
            _ => throw new TenantSourceException(fullPath, "a tenants file must be .json or .csv."),
        };
        return rows.Select((row, index) => FromRow(row, $"{fullPath} (tenant {index + 1})", Path.GetDirectoryName(fullPath)!)).ToList();
    }

    private static readonly System.Collections.Frozen.FrozenSet<string> KnownFields =
        System.Collections.Frozen.FrozenSet.ToFrozenSet(["name", "tenant", "engine", "connectionString", "schema", "tags"], StringComparer.OrdinalIgnoreCase);

    /// <summary>Builds a tenant from loose fields, as a file row, a CSV line or a PowerShell object provides them.</summary>
    public static Tenant FromRow(IReadOnlyDictionary<string, string?> row, string source, string? baseFolder = null)
    {
        string? Field(string name) => row.FirstOrDefault(kv => string.Equals(kv.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
        var name = Field("name") ?? Field("tenant");
        if (string.IsNullOrWhiteSpace(name)) throw new TenantSourceException(source, "the tenant has no 'name'.");
        TenantNames.Require(name, source);
        var engineText = Field("engine") ?? "sqlite";
        var engine = ParseEngine(engineText, $"{source}, tenant '{name}'");
        var connectionString = Field("connectionString") ?? "";
        if (string.IsNullOrWhiteSpace(connectionString)) throw new TenantSourceException(source, $"tenant '{name}' has no 'connectionString'.");
        var problem = ConnectionStringCheck.ProblemOf(engine, connectionString);
        if (problem is not null) throw new TenantSourceException(source, $"tenant '{name}': {problem}");
        var checkedConnectionString = connectionString;
        if (engine == DatabaseEngine.Sqlite && baseFolder is not null) connectionString = ResolveSqlitePath(connectionString, baseFolder);
        var tenant = new Tenant
        {
            Name = name,
            Engine = engine,
            ConnectionString = connectionString,
            Schema = string.IsNullOrWhiteSpace(Field("schema")) ? null : Field("schema"),
            Tags = (Field("tags") ?? "").Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            Source = source,
        };
        if (ReferenceEquals(checkedConnectionString, tenant.GetConnectionString())) tenant.MarkConnectionStringChecked();
        foreach (var (key, value) in row.Where(kv => !KnownFields.Contains(kv.Key) && kv.Value is not null)) tenant.Properties[key] = value!;
        return tenant;
    }

    public static DatabaseEngine ParseEngine(string text, string where) => text.Trim().ToLowerInvariant() switch
    {
        "sqlite" => DatabaseEngine.Sqlite,
        "postgres" or "postgresql" or "pg" => DatabaseEngine.Postgres,
        "mysql" or "mariadb" => DatabaseEngine.MySql,
        _ => throw new TenantSourceException(where, $"unknown engine '{text}' (use sqlite, postgres or mysql)."),
    };

    /// <summary>One SQLite tenant per file matching the glob (e.g. tenants/*.db); the tenant name is the file name without extension.</summary>
    public static IReadOnlyList<Tenant> FromSqliteGlob(string glob, string? baseFolder = null)
    {
        var fullGlob = Path.GetFullPath(glob, baseFolder ?? Directory.GetCurrentDirectory());
        if (fullGlob.IndexOfAny(['*', '?', '[']) < 0) return File.Exists(fullGlob) ? [SqliteTenant(fullGlob, glob)] : [];
        var root = fullGlob;
        while (root.IndexOfAny(['*', '?', '[']) >= 0) root = Path.GetDirectoryName(root)!;
        if (!Directory.Exists(root)) return [];
        var matcher = new Matcher(StringComparison.Ordinal);
        var pattern = Path.GetRelativePath(root, fullGlob);
        matcher.AddInclude(pattern);
        // Wildcards in the file name alone ('**' reaches into subfolders): the folder's names are matched as listed. The
        // walk of GetResultsInFullPath stats every entry, 10,000 system calls before a 10,000-file fleet can start.
        var files = pattern.IndexOfAny(['/', '\\']) < 0 && !pattern.Contains("**", StringComparison.Ordinal)
            ? matcher.Match(root, Directory.EnumerateFiles(root)).Files.Select(match => Path.GetFullPath(Path.Combine(root, match.Path)))
            : matcher.GetResultsInFullPath(root);
        return files
            .Where(file => !SqliteDialect.IsToolOrSidecarFile(file))
            .Order(StringComparer.Ordinal)
            .Select(file => SqliteTenant(file, glob))
            .ToList();
    }

    private static Tenant SqliteTenant(string file, string glob) => new()
    {
        Name = TenantNames.Require(Path.GetFileNameWithoutExtension(file), $"--sqlite '{glob}' ({file})"),
        Engine = DatabaseEngine.Sqlite,
        ConnectionString = DataSourceOf(file),
        Source = glob,
    };

    /// <summary>
    /// The connection string of a file, as the builder writes it: a value without quotes, '=', ';', white space or
    /// control characters goes unquoted, so most paths need no builder (one per file was a sixth of the time before a
    /// 10,000-file fleet could start).
    /// </summary>
    internal static string DataSourceOf(string file) =>
        file.Length > 0 && file.All(c => c is not ('"' or '\'' or '=' or ';') && !char.IsWhiteSpace(c) && !char.IsControl(c))
            ? "Data Source=" + file
            : new SqliteConnectionStringBuilder { DataSource = file }.ConnectionString;

    /// <summary>
    /// One tenant per schema whose name matches a LIKE pattern, in one PostgreSQL database. Transient errors are
    /// retried with backoff (each retry is reported to <paramref name="onRetry"/>); one that outlasts the retries is a
    /// <see cref="TenantSourceUnreachableException"/>.
    /// </summary>
    public static async Task<IReadOnlyList<Tenant>> FromPostgresSchemasAsync(string connectionString, string schemaLike, Action<string>? onRetry = null, ConnectionLimits? limits = null, CancellationToken cancellationToken = default)
    {
        const string source = "PostgreSQL schema discovery";
        var probe = new Tenant { Name = "catalog", Engine = DatabaseEngine.Postgres, ConnectionString = connectionString };
        var problem = ConnectionStringCheck.ProblemOf(DatabaseEngine.Postgres, connectionString);
        if (problem is not null) throw new TenantSourceException(source, $"--pg: {problem}");
        var discovery = WithLimits(connectionString, limits);
        var dialect = Dialects.DialectRegistry.CreateDefault().For(DatabaseEngine.Postgres);
        try
        {
            return await TenantSourceRetry.RunAsync(dialect, source, probe, async token =>
            {
                await using var connection = new NpgsqlConnection(discovery);
                await connection.OpenAsync(token).ConfigureAwait(false);
                await using var command = new NpgsqlCommand("SELECT nspname FROM pg_catalog.pg_namespace WHERE nspname LIKE $1 ORDER BY nspname", connection)
                {
                    Parameters = { new NpgsqlParameter { Value = schemaLike } },
                };
                var tenants = new List<Tenant>();
                await using var reader = await command.ExecuteReaderAsync(token).ConfigureAwait(false);
                while (await reader.ReadAsync(token).ConfigureAwait(false))
                {
                    var where = $"schemas LIKE '{schemaLike}'";
                    var schema = TenantNames.Require(reader.GetString(0), source + ", " + where);
                    tenants.Add(new Tenant { Name = schema, Engine = DatabaseEngine.Postgres, ConnectionString = connectionString, Schema = schema, Source = where });
                }
                return (IReadOnlyList<Tenant>)tenants;
            }, onRetry, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DbException or System.Net.Sockets.SocketException or TimeoutException or ArgumentException)
        {
            throw new TenantSourceException(source, Redaction.MessageOf(ex, probe));
        }
    }

    /// <summary>
    /// Tenants from a query against a catalog database. The query returns columns named like a tenants file
    /// (name, engine, connectionString, schema, tags, and any properties). Transient errors are retried as for
    /// <see cref="FromPostgresSchemasAsync"/>. With <paramref name="passwords"/>, that column is left out of the
    /// tenants' properties and decrypted into each tenant's password.
    /// </summary>
    public static async Task<IReadOnlyList<Tenant>> FromCatalogQueryAsync(DatabaseEngine catalogEngine, string catalogConnectionString, string query, Action<string>? onRetry = null, EncryptedPasswordColumn? passwords = null, CancellationToken cancellationToken = default)
    {
        const string source = "catalog query";
        var probe = new Tenant { Name = "catalog", Engine = catalogEngine, ConnectionString = catalogConnectionString };
        var problem = ConnectionStringCheck.ProblemOf(catalogEngine, catalogConnectionString);
        if (problem is not null) throw new TenantSourceException(source, $"the catalog's {problem}");
        var dialect = Dialects.DialectRegistry.CreateDefault().For(catalogEngine);
        try
        {
            return await TenantSourceRetry.RunAsync(dialect, source, probe, async token =>
            {
                await using var connection = dialect.CreateConnection(probe, forWriting: false);
                await connection.OpenAsync(token).ConfigureAwait(false);
                await using var command = connection.CreateCommand();
                command.CommandText = query;
                await using var reader = await command.ExecuteReaderAsync(token).ConfigureAwait(false);
                var tenants = new List<Tenant>();
                while (await reader.ReadAsync(token).ConfigureAwait(false))
                {
                    var row = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
                    for (var i = 0; i < reader.FieldCount; i++)
                    {
                        row[reader.GetName(i)] = reader.IsDBNull(i) ? null : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture);
                    }
                    var where = $"catalog query row {tenants.Count + 1}";
                    if (passwords is null)
                    {
                        tenants.Add(FromRow(row, where));
                        continue;
                    }
                    if (!row.Remove(passwords.Column, out var encrypted))
                    {
                        throw new TenantSourceException(source, $"the query returns no column '{passwords.Column}' for the encrypted passwords; it returns {string.Join(", ", row.Keys)}.");
                    }
                    tenants.Add(passwords.Apply(FromRow(row, where), encrypted));
                }
                return (IReadOnlyList<Tenant>)tenants;
            }, onRetry, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DbException or System.Net.Sockets.SocketException or TimeoutException or InvalidOperationException)
        {
            throw new TenantSourceException(source, Redaction.MessageOf(ex, probe));
        }
    }

    /// <summary>The discovery connection honours the run's time limits (Npgsql counts whole seconds, at most 1024).</summary>
    private static string WithLimits(string connectionString, ConnectionLimits? limits)
    {
        if (limits?.ConnectTimeout is null && limits?.CommandTimeout is null) return connectionString;
        static int Seconds(TimeSpan limit) => (int)Math.Clamp(Math.Ceiling(limit.TotalSeconds), 1, 1024);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (limits.ConnectTimeout is { } connect) builder.Timeout = Seconds(connect);
        if (limits.CommandTimeout is { } command) builder.CommandTimeout = Seconds(command);
        return builder.ConnectionString;
    }

    private static string ResolveSqlitePath(string connectionString, string baseFolder)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (!string.IsNullOrEmpty(builder.DataSource) && builder.DataSource != ":memory:" && !Path.IsPathRooted(builder.DataSource))
        {
            builder.DataSource = Path.GetFullPath(Path.Combine(baseFolder, builder.DataSource));
        }
        return builder.ConnectionString;
    }

    private static List<Dictionary<string, string?>> ReadJsonRows(string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            // JsonException counts lines and bytes from 0; people and editors count from 1.
            var where = ex.LineNumber is { } line ? $" at line {line + 1}, column {(ex.BytePositionInLine ?? 0) + 1}" : "";
            throw new TenantSourceException(path, $"not valid JSON{where}: {JsonProblem(ex)}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("tenants", out var list)) root = list;
            if (root.ValueKind != JsonValueKind.Array) throw new TenantSourceException(path, "expected an array of tenants or an object with a 'tenants' array.");
            return root.EnumerateArray().Select((item, index) =>
            {
                if (item.ValueKind != JsonValueKind.Object) throw new TenantSourceException(path, $"tenant {index + 1} is not an object.");
                var row = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
                foreach (var property in item.EnumerateObject())
                {
                    if (property.NameEquals("properties") && property.Value.ValueKind == JsonValueKind.Object)
                    {
                        foreach (var nested in property.Value.EnumerateObject()) row[nested.Name] = JsonText(nested.Value);
                    }
                    else
                    {
                        row[property.Name] = JsonText(property.Value);
                    }
                }
                return row;
            }).ToList();
        }
    }

    /// <summary>The parser's message without its own 0-based "LineNumber: n | BytePositionInLine: m." suffix.</summary>
    private static string JsonProblem(JsonException ex)
    {
        var message = ex.Message;
        var suffix = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return suffix > 0 ? message[..suffix] : message;
    }

    private static string? JsonText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Array => string.Join(",", value.EnumerateArray().Select(JsonText)),
        _ => value.GetRawText(),
    };

    private static List<Dictionary<string, string?>> ReadCsvRows(string path)
    {
        var lines = CsvReader.Read(File.ReadAllText(path));
        if (lines.Count == 0) throw new TenantSourceException(path, "the CSV file is empty; it needs a header line such as name,engine,connectionString,schema,tags.");
        var header = lines[0];
        return lines.Skip(1).Where(l => l.Any(f => f.Length > 0)).Select((fields, index) =>
        {
            if (fields.Count != header.Count) throw new TenantSourceException(path, $"line {index + 2} has {fields.Count} fields; the header has {header.Count}.");
            return header.Zip(fields).ToDictionary(p => p.First.Trim(), p => (string?)p.Second, StringComparer.OrdinalIgnoreCase);
        }).ToList();
    }
}

public class TenantSourceException(string source, string problem) : Exception($"{source}: {problem}")
{
    public string SourceName { get; } = source;
}

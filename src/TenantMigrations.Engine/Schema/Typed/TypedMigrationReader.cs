using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using TenantMigrations.Engine.Migrations;

namespace TenantMigrations.Engine.Schema.Typed;

/// <summary>
/// Reads a typed migration file (JSON). Every error names the file, the operation (1-based index and name) and the
/// field at fault; an unknown field is an error too, because a misspelt option would otherwise be ignored in silence.
/// </summary>
public static partial class TypedMigrationReader
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    public static TypedMigration Read(string path, string text)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw new MigrationSetException(path, $"the typed migration is not valid JSON: {ex.Message}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new MigrationSetException(path, "a typed migration is a JSON object with an \"operations\" list.");
            var file = new Fields(path, "the file", root);
            file.AllowOnly("operations", "transaction", "description");
            var transaction = file.OptionalBool("transaction") ?? true;
            if (!root.TryGetProperty("operations", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                throw new MigrationSetException(path, "field 'operations' is missing or not a list: a typed migration holds a list of operations.");
            }
            if (list.GetArrayLength() == 0) throw new MigrationSetException(path, "empty migration: 'operations' is an empty list.");
            var operations = new List<SchemaOperation>();
            var index = 0;
            foreach (var element in list.EnumerateArray())
            {
                index++;
                operations.Add(ReadOperation(path, index, element));
            }
            return new TypedMigration(operations, transaction);
        }
    }

    private static SchemaOperation ReadOperation(string path, int index, JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object) throw new MigrationSetException(path, $"operation {index}: an operation is a JSON object with an \"op\" field.");
        var opName = element.TryGetProperty("op", out var op) && op.ValueKind == JsonValueKind.String ? op.GetString()! : null;
        var fields = new Fields(path, $"operation {index} ({opName ?? "?"})", element);
        switch (opName)
        {
            case "createTable":
            {
                fields.AllowOnly("op", "table", "columns");
                var columns = fields.RequiredArray("columns").Select((c, i) => ReadColumn(fields.Nested($"columns[{i}]", c))).ToList();
                if (columns.Count == 0) throw fields.Error("columns", "a table needs at least one column.");
                var duplicate = columns.GroupBy(c => c.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
                if (duplicate is not null) throw fields.Error("columns", $"column '{duplicate.Key}' is defined twice.");
                var keys = columns.Count(c => c.PrimaryKey);
                if (columns.Any(c => c.Identity) && keys != 1) throw fields.Error("columns", "an identity column must be the table's only primary key column.");
                return new CreateTable(fields.Identifier("table"), columns);
            }
            case "addColumn":
            {
                fields.AllowOnly("op", "table", "column", "backfill");
                var column = ReadColumn(fields.Nested("column", fields.RequiredObject("column")));
                if (column.PrimaryKey || column.Identity) throw fields.Error("column", "addColumn cannot add a primary key or identity column; create the table with it.");
                var backfill = fields.OptionalObject("backfill") is { } b ? ReadBackfill(fields.Nested("backfill", b)) : null;
                return new AddColumn(fields.Identifier("table"), column, backfill);
            }
            case "dropColumn":
                fields.AllowOnly("op", "table", "column");
                return new DropColumn(fields.Identifier("table"), fields.Identifier("column"));
            case "renameColumn":
                fields.AllowOnly("op", "table", "from", "to");
                return new RenameColumn(fields.Identifier("table"), fields.Identifier("from"), fields.Identifier("to"));
            case "createIndex":
            {
                fields.AllowOnly("op", "table", "name", "columns", "unique", "concurrent");
                var columns = fields.RequiredArray("columns").Select((c, i) => fields.IdentifierValue($"columns[{i}]", c)).ToList();
                if (columns.Count == 0) throw fields.Error("columns", "an index needs at least one column.");
                return new CreateIndex(fields.Identifier("table"), fields.Identifier("name"), columns, fields.OptionalBool("unique") ?? false, fields.OptionalBool("concurrent") ?? false);
            }
            case "dropIndex":
                fields.AllowOnly("op", "table", "name");
                return new DropIndex(fields.Identifier("table"), fields.Identifier("name"));
            case "dropTable":
                fields.AllowOnly("op", "table");
                return new DropTable(fields.Identifier("table"));
            case "sql":
            {
                fields.AllowOnly("op", "default", "postgres", "mysql", "sqlite");
                var raw = new RawSql(fields.OptionalString("default"), fields.OptionalString("postgres"), fields.OptionalString("mysql"), fields.OptionalString("sqlite"));
                if (new[] { raw.Default, raw.Postgres, raw.MySql, raw.Sqlite }.All(string.IsNullOrWhiteSpace))
                {
                    throw fields.Error("default", "a sql operation needs the SQL text in 'default' or in 'postgres', 'mysql' and 'sqlite'.");
                }
                return raw;
            }
            case null:
                throw new MigrationSetException(path, $"operation {index}: field 'op' is missing; use one of {KnownOperations}.");
            default:
                throw new MigrationSetException(path, $"operation {index}: field 'op': unknown operation '{opName}'; use one of {KnownOperations}.");
        }
    }

    private const string KnownOperations = "createTable, addColumn, dropColumn, renameColumn, createIndex, dropIndex, dropTable, sql";

    private static ColumnDefinition ReadColumn(Fields column)
    {
        column.AllowOnly("name", "type", "length", "nullable", "unique", "primaryKey", "identity", "default", "references");
        var name = column.Identifier("name");
        var type = ReadType(column);
        var primaryKey = column.OptionalBool("primaryKey") ?? false;
        var identity = column.OptionalBool("identity") ?? false;
        if (identity && (!primaryKey || type.Kind is not (ColumnKind.Int or ColumnKind.BigInt)))
        {
            throw column.Error("identity", "an identity column must be an Int or BigInt primary key.");
        }
        var nullable = column.OptionalBool("nullable") ?? !primaryKey;
        if (primaryKey && nullable) throw column.Error("nullable", "a primary key column cannot be nullable.");
        var references = column.OptionalObject("references") is { } r ? ReadReference(column.Nested("references", r)) : null;
        return new ColumnDefinition(name, type)
        {
            Nullable = nullable,
            Unique = column.OptionalBool("unique") ?? false,
            PrimaryKey = primaryKey,
            Identity = identity,
            Default = ReadDefault(column),
            References = references,
        };
    }

    private static ColumnType ReadType(Fields column)
    {
        var text = column.RequiredString("type");
        var match = TypePattern().Match(text);
        if (!match.Success || !Enum.TryParse<ColumnKind>(match.Groups["kind"].Value, ignoreCase: true, out var kind))
        {
            throw column.Error("type", $"unknown type '{text}'; use one of String (with a length), Int, BigInt, Float, Boolean, DateTime, Text, Json.");
        }
        int? length = match.Groups["length"].Success ? int.Parse(match.Groups["length"].Value, CultureInfo.InvariantCulture) : null;
        if (column.OptionalInt("length") is { } explicitLength)
        {
            if (length is not null && length != explicitLength) throw column.Error("length", $"the length {explicitLength} differs from the type's '{text}'.");
            length = explicitLength;
        }
        if (kind == ColumnKind.String)
        {
            if (length is null) throw column.Error("length", "a String column needs a length, e.g. \"type\": \"String\", \"length\": 32.");
            if (length is < 1 or > 10_000) throw column.Error("length", $"a String length must be between 1 and 10000, not {length}; use Text for longer values.");
        }
        else if (length is not null)
        {
            throw column.Error("length", $"only a String column has a length, not {kind}.");
        }
        return new ColumnType(kind, length);
    }

    private static ColumnDefault? ReadDefault(Fields column)
    {
        if (!column.Element.TryGetProperty("default", out var value)) return null;
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.String:
                return new ColumnDefault(DefaultKind.Text, value.GetString()!);
            case JsonValueKind.Number:
                return new ColumnDefault(DefaultKind.Number, value.GetRawText());
            case JsonValueKind.True or JsonValueKind.False:
                return new ColumnDefault(DefaultKind.Boolean, value.GetBoolean() ? "true" : "false");
            case JsonValueKind.Object:
            {
                var sql = column.Nested("default", value);
                sql.AllowOnly("sql");
                return new ColumnDefault(DefaultKind.Sql, sql.RequiredString("sql"));
            }
            default:
                throw column.Error("default", "a default is a string, a number, true/false, or {\"sql\": \"expression\"}.");
        }
    }

    private static ForeignKeyReference ReadReference(Fields reference)
    {
        reference.AllowOnly("table", "column", "onDelete");
        var onDelete = (reference.OptionalString("onDelete") ?? "no action").Trim().ToLowerInvariant();
        onDelete = onDelete switch
        {
            "noaction" or "no action" or "no_action" => "no action",
            "setnull" or "set null" or "set_null" => "set null",
            "setdefault" or "set default" or "set_default" => "set default",
            _ => onDelete,
        };
        if (onDelete is not ("no action" or "restrict" or "cascade" or "set null" or "set default"))
        {
            throw reference.Error("onDelete", $"'{onDelete}' is not an action; use noAction, restrict, cascade, setNull or setDefault.");
        }
        return new ForeignKeyReference(reference.Identifier("table"), reference.Identifier("column"), onDelete);
    }

    private static Backfill ReadBackfill(Fields backfill)
    {
        backfill.AllowOnly("expression", "perRowQuery", "batchSize", "key");
        var expression = backfill.OptionalString("expression");
        var perRowQuery = backfill.OptionalString("perRowQuery");
        if (string.IsNullOrWhiteSpace(expression) == string.IsNullOrWhiteSpace(perRowQuery))
        {
            throw backfill.Error("expression", "a backfill has exactly one of 'expression' (SQL over the row's columns) and 'perRowQuery' (a SELECT of one value, @key standing for the row's key).");
        }
        if (perRowQuery is not null && !perRowQuery.Contains("@key", StringComparison.Ordinal))
        {
            throw backfill.Error("perRowQuery", "the query must use @key for the row's key, e.g. SELECT sum(amount) FROM payments WHERE invoice_id = @key.");
        }
        var batchSize = backfill.OptionalInt("batchSize") ?? Backfill.DefaultBatchSize;
        if (batchSize is < 1 or > 1_000_000) throw backfill.Error("batchSize", $"the batch size must be between 1 and 1000000, not {batchSize}.");
        var key = backfill.Element.TryGetProperty("key", out _) ? backfill.Identifier("key") : null;
        return new Backfill(expression, perRowQuery, batchSize, key);
    }

    [GeneratedRegex(@"^\s*(?<kind>[A-Za-z]+)\s*(\(\s*(?<length>[0-9]{1,6})\s*\))?\s*$")]
    private static partial Regex TypePattern();

    /// <summary>The fields of one JSON object, with errors that say where the object is.</summary>
    private sealed class Fields(string path, string where, JsonElement element)
    {
        public JsonElement Element => element;

        public Fields Nested(string field, JsonElement value) => new(path, $"{where}, field '{field}'", value.ValueKind == JsonValueKind.Object ? value : throw Error(field, "must be a JSON object."));

        public MigrationSetException Error(string field, string message) => new(path, $"{where}: field '{field}': {message}");

        public void AllowOnly(params string[] known)
        {
            foreach (var property in element.EnumerateObject())
            {
                if (!known.Contains(property.Name, StringComparer.Ordinal)) throw Error(property.Name, $"unknown field; known here: {string.Join(", ", known)}.");
            }
        }

        public string RequiredString(string field) =>
            element.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String && value.GetString()!.Trim().Length > 0
                ? value.GetString()!
                : throw Error(field, "is missing or not a non-empty string.");

        public string? OptionalString(string field) =>
            !element.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null ? null
            : value.ValueKind == JsonValueKind.String ? value.GetString() : throw Error(field, "must be a string.");

        public bool? OptionalBool(string field) =>
            !element.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null ? null
            : value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : throw Error(field, "must be true or false.");

        public int? OptionalInt(string field) =>
            !element.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null ? null
            : value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) ? number : throw Error(field, "must be a whole number.");

        public JsonElement RequiredObject(string field) =>
            element.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.Object ? value : throw Error(field, "is missing or not a JSON object.");

        public JsonElement? OptionalObject(string field) =>
            !element.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null ? null
            : value.ValueKind == JsonValueKind.Object ? value : throw Error(field, "must be a JSON object.");

        public List<JsonElement> RequiredArray(string field) =>
            element.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().ToList() : throw Error(field, "is missing or not a list.");

        public string Identifier(string field) => IdentifierValue(field, element.TryGetProperty(field, out var value) ? value : default);

        public string IdentifierValue(string field, JsonElement value)
        {
            var text = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            if (string.IsNullOrEmpty(text)) throw Error(field, "is missing or not a name.");
            return Identifiers.IsSafe(text) ? text : throw Error(field, $"'{text}' cannot be used as a name: start with a letter or underscore, then letters, digits, underscores or hyphens (at most 63 characters).");
        }
    }
}

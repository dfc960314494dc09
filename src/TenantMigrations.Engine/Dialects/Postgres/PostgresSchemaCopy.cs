using Npgsql;
using TenantMigrations.Engine.Provisioning;

namespace TenantMigrations.Engine.Dialects.Postgres;

/// <summary>
/// Copies a template schema into a new schema of the same database in one transaction: sequences, tables (columns,
/// defaults, identity, generated columns, check constraints, comments), their rows (the journal's among them),
/// primary, unique and exclusion constraints and indexes under their own names, foreign keys and views. Definitions
/// are read with only the template on the search path, so that they come out unqualified, and written with only the
/// new schema on it. A template holding objects the copy does not carry (functions, triggers, types, materialized
/// views, partitions, inheritance, rules, policies) is refused with their names: provision without -Template then.
/// </summary>
internal static class PostgresSchemaCopy
{
    private const string UnsupportedObjects = """
        SELECT 'function ' || p.proname FROM pg_catalog.pg_proc p WHERE p.pronamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = $1)
        UNION ALL SELECT 'trigger ' || t.tgname FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid WHERE c.relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = $1) AND NOT t.tgisinternal
        UNION ALL SELECT 'type ' || t.typname FROM pg_catalog.pg_type t WHERE t.typnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = $1) AND (t.typtype IN ('e', 'd', 'r', 'm') OR t.typtype = 'c' AND (SELECT relkind FROM pg_catalog.pg_class WHERE oid = t.typrelid) = 'c')
        UNION ALL SELECT CASE c.relkind WHEN 'm' THEN 'materialized view ' WHEN 'p' THEN 'partitioned table ' ELSE 'foreign table ' END || c.relname FROM pg_catalog.pg_class c WHERE c.relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = $1) AND c.relkind IN ('m', 'p', 'f')
        UNION ALL SELECT 'inherited table ' || c.relname FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid WHERE c.relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = $1)
        UNION ALL SELECT 'rule ' || r.rulename FROM pg_catalog.pg_rewrite r JOIN pg_catalog.pg_class c ON c.oid = r.ev_class WHERE c.relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = $1) AND r.rulename <> '_RETURN'
        UNION ALL SELECT 'policy ' || p.polname FROM pg_catalog.pg_policy p JOIN pg_catalog.pg_class c ON c.oid = p.polrelid WHERE c.relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = $1)
        """;

    /// <summary>Sequences that are not an identity column's: they are created explicitly, then owned and set like the template's.</summary>
    private const string Sequences = """
        SELECT c.relname, format_type(s.seqtypid, NULL), s.seqincrement, s.seqmin, s.seqmax, s.seqstart, s.seqcache, s.seqcycle,
               owner.relname, a.attname
        FROM pg_catalog.pg_class c JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid
        LEFT JOIN pg_catalog.pg_depend d ON d.objid = c.oid AND d.classid = 'pg_catalog.pg_class'::regclass AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.deptype IN ('a', 'i')
        LEFT JOIN pg_catalog.pg_class owner ON owner.oid = d.refobjid
        LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
        WHERE c.relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = $1) AND c.relkind = 'S' AND (d.deptype IS NULL OR d.deptype = 'a')
        ORDER BY c.oid
        """;

    private const string Tables = """
        SELECT c.relname, string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) FILTER (WHERE a.attgenerated = '')
        FROM pg_catalog.pg_class c JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        WHERE c.relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = $1) AND c.relkind = 'r'
        GROUP BY c.oid, c.relname ORDER BY c.oid
        """;

    /// <summary>Defaults that draw from a sequence: LIKE copies them pointing at the template's sequence.</summary>
    private const string SequenceDefaults = """
        SELECT c.relname, a.attname, pg_catalog.pg_get_expr(d.adbin, d.adrelid)
        FROM pg_catalog.pg_attrdef d JOIN pg_catalog.pg_class c ON c.oid = d.adrelid JOIN pg_catalog.pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
        WHERE c.relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = $1) AND a.attgenerated = '' AND pg_catalog.pg_get_expr(d.adbin, d.adrelid) LIKE '%nextval(%'
        """;

    private const string IdentityColumns = """
        SELECT c.relname, a.attname, pg_catalog.pg_get_serial_sequence(format('%I.%I', $1, c.relname), a.attname) FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
        WHERE c.relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = $1) AND c.relkind = 'r' AND a.attidentity <> '' AND NOT a.attisdropped
        """;

    /// <summary>Primary, unique and exclusion constraints first, foreign keys last, each in creation order.</summary>
    private const string Constraints = """
        SELECT c.relname, k.conname, pg_catalog.pg_get_constraintdef(k.oid), k.contype = 'f'
        FROM pg_catalog.pg_constraint k JOIN pg_catalog.pg_class c ON c.oid = k.conrelid
        WHERE c.relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = $1) AND c.relkind = 'r' AND k.contype IN ('p', 'u', 'x', 'f')
        ORDER BY k.contype = 'f', k.oid
        """;

    /// <summary>
    /// Indexes that no constraint owns, as the part of their definition after the table name (pg_get_indexdef always
    /// qualifies the table): null when the definition does not start as expected.
    /// </summary>
    private const string Indexes = """
        SELECT t.relname, i.relname, x.indisunique,
               CASE WHEN starts_with(def, prefix) THEN substr(def, length(prefix) + 1) END
        FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid JOIN pg_catalog.pg_class t ON t.oid = x.indrelid,
             LATERAL (SELECT pg_catalog.pg_get_indexdef(x.indexrelid) AS def,
                             format('CREATE %sINDEX %s ON %s.%s', CASE WHEN x.indisunique THEN 'UNIQUE ' ELSE '' END, quote_ident(i.relname), quote_ident($1), quote_ident(t.relname)) AS prefix) AS d
        WHERE t.relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = $1) AND t.relkind = 'r'
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.conindid = x.indexrelid AND k.conrelid = x.indrelid)
        ORDER BY i.oid
        """;

    private const string Views = """
        SELECT c.relname, pg_catalog.pg_get_viewdef(c.oid) FROM pg_catalog.pg_class c
        WHERE c.relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = $1) AND c.relkind = 'v' ORDER BY c.oid
        """;

    public static async Task CopyAsync(NpgsqlConnection connection, string template, string target, CancellationToken cancellationToken)
    {
        string Q(string identifier) => QuotedIdentifiers.Quote(identifier, '"');
        var from = Q(template);
        var to = Q(target);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (!await ExistsAsync(connection, template, cancellationToken).ConfigureAwait(false))
        {
            throw new ProvisioningException(ErrorIds.TemplateUnusable, $"template schema '{template}' not found.");
        }
        var unsupported = await ReadAsync(connection, UnsupportedObjects, template, r => r.GetString(0), cancellationToken).ConfigureAwait(false);
        if (unsupported.Count > 0)
        {
            var named = string.Join(", ", unsupported.Take(10)) + (unsupported.Count > 10 ? $" and {unsupported.Count - 10} more" : "");
            throw new ProvisioningException(ErrorIds.TemplateUnusable,
                $"template schema '{template}' holds {named}, which the schema copy does not carry; provision without a template (the migrations are replayed) or keep such objects out of the template's schema.");
        }

        await ExecuteAsync(connection, $"SET LOCAL search_path TO {from}", cancellationToken).ConfigureAwait(false);
        var sequences = await ReadAsync(connection, Sequences, template, r => new SequenceRow(
            r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4), r.GetInt64(5), r.GetInt64(6), r.GetBoolean(7),
            r.IsDBNull(8) ? null : r.GetString(8), r.IsDBNull(9) ? null : r.GetString(9)), cancellationToken).ConfigureAwait(false);
        var tables = await ReadAsync(connection, Tables, template, r => (Name: r.GetString(0), Columns: r.IsDBNull(1) ? null : r.GetString(1)), cancellationToken).ConfigureAwait(false);
        var defaults = await ReadAsync(connection, SequenceDefaults, template, r => (Table: r.GetString(0), Column: r.GetString(1), Expression: r.GetString(2)), cancellationToken).ConfigureAwait(false);
        var identities = await ReadAsync(connection, IdentityColumns, template, r => (Table: r.GetString(0), Column: r.GetString(1), Sequence: r.GetString(2)), cancellationToken).ConfigureAwait(false);
        var constraints = await ReadAsync(connection, Constraints, template, r => (Table: r.GetString(0), Name: r.GetString(1), Definition: r.GetString(2)), cancellationToken).ConfigureAwait(false);
        var indexes = await ReadAsync(connection, Indexes, template, r => (Table: r.GetString(0), Name: r.GetString(1), Unique: r.GetBoolean(2), Tail: r.IsDBNull(3) ? null : r.GetString(3)), cancellationToken).ConfigureAwait(false);
        var views = await ReadAsync(connection, Views, template, r => (Name: r.GetString(0), Definition: r.GetString(1)), cancellationToken).ConfigureAwait(false);
        if (indexes.FirstOrDefault(i => i.Tail is null) is { Name: not null } odd)
        {
            throw new ProvisioningException(ErrorIds.TemplateUnusable, $"template schema '{template}': the definition of index '{odd.Name}' could not be read for copying.");
        }

        var statements = new List<string> { $"CREATE SCHEMA {to}", $"SET LOCAL search_path TO {to}" };
        foreach (var s in sequences)
        {
            statements.Add($"CREATE SEQUENCE {to}.{Q(s.Name)} AS {s.Type} INCREMENT BY {s.Increment} MINVALUE {s.Min} MAXVALUE {s.Max} START WITH {s.Start} CACHE {s.Cache} {(s.Cycle ? "CYCLE" : "NO CYCLE")}");
        }
        foreach (var table in tables)
        {
            statements.Add($"CREATE TABLE {to}.{Q(table.Name)} (LIKE {from}.{Q(table.Name)} INCLUDING ALL EXCLUDING INDEXES)");
        }
        foreach (var d in defaults)
        {
            statements.Add($"ALTER TABLE {to}.{Q(d.Table)} ALTER COLUMN {Q(d.Column)} SET DEFAULT {d.Expression}");
        }
        foreach (var table in tables.Where(t => t.Columns is not null))
        {
            statements.Add($"INSERT INTO {to}.{Q(table.Name)} ({table.Columns}) OVERRIDING SYSTEM VALUE SELECT {table.Columns} FROM {from}.{Q(table.Name)}");
        }
        foreach (var s in sequences)
        {
            if (s.OwnerTable is not null) statements.Add($"ALTER SEQUENCE {to}.{Q(s.Name)} OWNED BY {to}.{Q(s.OwnerTable)}.{Q(s.OwnerColumn!)}");
            statements.Add($"SELECT setval({Literal($"{to}.{Q(s.Name)}")}::regclass, last_value, is_called) FROM {from}.{Q(s.Name)}");
        }
        foreach (var (table, column, sequence) in identities)
        {
            // pg_get_serial_sequence gives the template's sequence qualified and quoted, ready to select from.
            statements.Add($"SELECT setval(pg_catalog.pg_get_serial_sequence({Literal($"{to}.{Q(table)}")}, {Literal(column)}), last_value, is_called) FROM {sequence}");
        }
        foreach (var (table, name, definition) in constraints)
        {
            statements.Add($"ALTER TABLE {to}.{Q(table)} ADD CONSTRAINT {Q(name)} {definition}");
        }
        foreach (var index in indexes)
        {
            statements.Add($"CREATE {(index.Unique ? "UNIQUE " : "")}INDEX {Q(index.Name)} ON {to}.{Q(index.Table)}{index.Tail}");
        }
        foreach (var (name, definition) in views)
        {
            statements.Add($"CREATE VIEW {to}.{Q(name)} AS {definition.TrimEnd().TrimEnd(';')}");
        }
        // One round trip for the whole copy: hundreds of small statements would otherwise cost more than replaying.
        await using (var batch = new NpgsqlBatch(connection, transaction))
        {
            foreach (var statement in statements) batch.BatchCommands.Add(new NpgsqlBatchCommand(statement));
            batch.Timeout = 0;
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static string Literal(string value) => QuotedIdentifiers.StandardLiteral(value);

    public static async Task<bool> ExistsAsync(NpgsqlConnection connection, string schema, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1)", connection)
        {
            Parameters = { new NpgsqlParameter { Value = schema } },
        };
        return (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private static async Task<List<T>> ReadAsync<T>(NpgsqlConnection connection, string sql, string schema, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection) { Parameters = { new NpgsqlParameter { Value = schema } } };
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) rows.Add(read(reader));
        return rows;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private sealed record SequenceRow(string Name, string Type, long Increment, long Min, long Max, long Start, long Cache, bool Cycle, string? OwnerTable, string? OwnerColumn);
}

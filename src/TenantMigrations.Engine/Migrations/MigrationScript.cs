namespace TenantMigrations.Engine.Migrations;

/// <summary>One file of the migrations folder: a versioned, undo or repeatable script, possibly for one engine only.</summary>
public sealed class MigrationScript
{
    public required string Path { get; init; }

    public required string FileName { get; init; }

    public required MigrationKind Kind { get; init; }

    /// <summary>Null for repeatable scripts.</summary>
    public MigrationVersion? Version { get; init; }

    public required string Description { get; init; }

    /// <summary>The engine this file is a variant for; null when it serves every engine without a variant.</summary>
    public DatabaseEngine? Engine { get; init; }

    /// <summary>The file's text, BOM removed and line endings normalized to \n.</summary>
    public required string Content { get; init; }

    public required string Checksum { get; init; }

    public required ScriptDirectives Directives { get; init; }

    /// <summary>The placeholder names the text uses.</summary>
    public required IReadOnlySet<string> Placeholders { get; init; }

    /// <summary>
    /// For a typed (.json) file: its operations. <see cref="Content"/> is then the SQL rendered for <see cref="Engine"/>,
    /// and <see cref="Checksum"/> is over the typed file's text.
    /// </summary>
    public Schema.Typed.TypedMigration? Typed { get; init; }

    /// <summary>The identity a journal row is matched on: the version, or the description for repeatables.</summary>
    public string Key => Version?.Text ?? Description;

    public override string ToString() => FileName;
}

/// <summary>A logical migration: one version (or one repeatable description) with its per-engine files.</summary>
public sealed class Migration
{
    public required MigrationKind Kind { get; init; }

    public MigrationVersion? Version { get; init; }

    public required string Description { get; init; }

    public required IReadOnlyList<MigrationScript> Files { get; init; }

    public string Key => Version?.Text ?? Description;

    /// <summary>The file for an engine: its variant if there is one, else the plain file, else null.</summary>
    public MigrationScript? FileFor(DatabaseEngine engine)
    {
        MigrationScript? plain = null;
        foreach (var file in Files)
        {
            if (file.Engine == engine) return file;
            if (file.Engine is null) plain ??= file;
        }
        return plain;
    }

    public override string ToString() => Version is null ? $"R {Description}" : $"{Version} {Description}";
}

/// <summary>Per-file settings read from leading "-- tm:key=value" comments.</summary>
/// <param name="Transaction">tm:transaction=true|false: whether the file runs in a transaction.</param>
/// <param name="DdlLockTimeout">tm:ddl-lock-timeout=SECONDS: overrides the run's DDL lock timeout for this file.</param>
public sealed record ScriptDirectives(bool Transaction, TimeSpan? DdlLockTimeout = null)
{
    public static readonly ScriptDirectives Default = new(Transaction: true);
}

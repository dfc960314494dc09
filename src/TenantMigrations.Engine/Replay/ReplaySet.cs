using TenantMigrations.Engine.Migrations;

namespace TenantMigrations.Engine.Replay;

/// <summary>
/// A recorded history as a migration set, so that replay runs through the normal migrate path. Each script keeps the
/// source's version, description, checksum and file name, and serves every engine: the target's dialect splits it.
/// </summary>
public static class ReplaySet
{
    public static MigrationSet From(RecordedHistory history, MigrationSettings settings)
    {
        var origin = $"the journal of tenant '{history.Source.Name}'";
        // The scripts are already rendered: the source's placeholder values are part of their text.
        var rendered = new MigrationSettings { JournalTable = settings.JournalTable, SchemaPattern = settings.SchemaPattern };
        return MigrationSet.InMemory(origin, rendered, history.Versioned.Select(s => ToMigration(s, origin)).ToList(), history.Repeatable.Select(s => ToMigration(s, origin)).ToList());
    }

    private static Migration ToMigration(RecordedScript recorded, string origin)
    {
        var fileName = recorded.ScriptName ?? HistoryFileNames.Plain(recorded);
        var script = new MigrationScript
        {
            Path = $"{origin}, rank {recorded.InstalledRank} ({fileName})",
            FileName = fileName,
            Kind = recorded.Kind,
            Version = recorded.Version,
            Description = recorded.Description,
            Engine = null,
            Content = recorded.Script,
            Checksum = recorded.Checksum,
            Directives = ScriptDirectiveReader.Read(fileName, recorded.Script),
            Placeholders = new HashSet<string>(StringComparer.OrdinalIgnoreCase),
        };
        return new Migration { Kind = recorded.Kind, Version = recorded.Version, Description = recorded.Description, Files = [script] };
    }
}

using System.Text.Json;
using System.Text.Json.Serialization;
using TenantMigrations.Engine.Rollouts;

namespace TenantMigrations.Engine.Migrations;

/// <summary>Optional settings read from tenantmigrations.json at the root of the migrations folder.</summary>
public sealed partial class MigrationSettings
{
    public const string FileName = "tenantmigrations.json";

    public const string DefaultJournalTable = "tenant_migrations_history";

    public string JournalTable { get; init; } = DefaultJournalTable;

    public IReadOnlyDictionary<string, string> Placeholders { get; init; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>The LIKE pattern used to discover PostgreSQL tenant schemas when none is given.</summary>
    public string? SchemaPattern { get; init; }

    /// <summary>The waves a migrate goes in, in order; empty for a flat run.</summary>
    public IReadOnlyList<WaveDefinition> Waves { get; init; } = [];

    public static MigrationSettings Load(string folder)
    {
        var path = System.IO.Path.Combine(folder, FileName);
        if (!File.Exists(path)) return new MigrationSettings();
        SettingsFile? file;
        try
        {
            file = JsonSerializer.Deserialize(File.ReadAllText(path), SettingsJsonContext.Default.SettingsFile);
        }
        catch (JsonException ex)
        {
            throw new MigrationSetException(path, $"the settings file is not valid JSON: {ex.Message}");
        }
        if (file is null) return new MigrationSettings();
        var journalTable = file.JournalTable ?? DefaultJournalTable;
        if (!Identifiers.IsSafe(journalTable))
        {
            throw new MigrationSetException(path, $"journalTable '{journalTable}' must be a plain identifier (letters, digits, underscores, at most 63 characters).");
        }
        return new MigrationSettings
        {
            JournalTable = journalTable,
            Placeholders = new Dictionary<string, string>(file.Placeholders ?? [], StringComparer.OrdinalIgnoreCase),
            SchemaPattern = file.SchemaPattern,
            Waves = WaveDefinition.FromSettings(path, file.Waves ?? []),
        };
    }

    [JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true, ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
    [JsonSerializable(typeof(SettingsFile))]
    private sealed partial class SettingsJsonContext : JsonSerializerContext;

    private sealed class SettingsFile
    {
        public string? JournalTable { get; set; }

        public Dictionary<string, string>? Placeholders { get; set; }

        public string? SchemaPattern { get; set; }

        public List<WaveSettings>? Waves { get; set; }
    }
}

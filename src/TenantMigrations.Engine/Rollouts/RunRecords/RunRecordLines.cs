using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace TenantMigrations.Engine.Rollouts.RunRecords;

/// <summary>
/// The lines of a run record (JSON lines). A run opens with a "start" line, each resume adds a "resume" line, each
/// finished tenant is a "tenant" line and each part of the run closes with a "summary" line.
/// </summary>
internal static class RunRecordLines
{
    public const string Start = "start";
    public const string Resume = "resume";
    public const string Tenant = "tenant";
    public const string Summary = "summary";

    /// <summary>
    /// Generated metadata, read and written alike: Native AOT has no reflection-based serializer, and building the
    /// metadata by reflection was a tenth of a no-op run's CPU.
    /// </summary>
    public static readonly RunRecordJsonContext Json = new(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // Readable with cat and grep; each line is a file's content, never HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    public static JsonTypeInfo<TLine> TypeInfo<TLine>() => (JsonTypeInfo<TLine>)Json.GetTypeInfo(typeof(TLine))!;
}

// Lines are read into setters, not init accessors: generated metadata sets an init-only property that a line lacks
// to null, where the line's own initial value (an empty list) is what a reader expects.
[JsonSourceGenerationOptions(UseStringEnumConverter = true)]
[JsonSerializable(typeof(RunHeaderLine))]
[JsonSerializable(typeof(RunTenantLine))]
[JsonSerializable(typeof(RunSummaryLine))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
internal sealed partial class RunRecordJsonContext : JsonSerializerContext;

/// <summary>The "start" or "resume" line: who ran what, never a connection string.</summary>
internal sealed record RunHeaderLine
{
    public string Type { get; set; } = RunRecordLines.Start;

    public string RunId { get; set; } = "";

    public DateTimeOffset StartedAt { get; set; }

    public string ToolVersion { get; set; } = "";

    public string MigrationsFolder { get; set; } = "";

    /// <summary>A hash over every script's file name and checksum: a resume warns when it differs.</summary>
    public string MigrationsChecksum { get; set; } = "";

    public IReadOnlyDictionary<string, string> Options { get; set; } = new Dictionary<string, string>();

    public int TenantCount { get; set; }

    public string[] Tenants { get; set; } = [];

    /// <summary>Tenants a resume skipped because the run already did them.</summary>
    public int AlreadyDone { get; set; }

    public string RunBy { get; set; } = "";
}

internal sealed record RunTenantLine
{
    public string Type { get; set; } = RunRecordLines.Tenant;

    public string Tenant { get; set; } = "";

    public DatabaseEngine Engine { get; set; }

    public TenantRunResult Outcome { get; set; }

    public TenantState StateAfter { get; set; }

    public string? VersionBefore { get; set; }

    public string? VersionAfter { get; set; }

    public string[] Applied { get; set; } = [];

    public string? ErrorId { get; set; }

    public string? Error { get; set; }

    public long DurationMs { get; set; }

    public DateTimeOffset FinishedAt { get; set; }

    /// <summary>The wave of a rollout the tenant ran in; null in a flat run.</summary>
    public string? Wave { get; set; }
}

internal sealed record RunSummaryLine
{
    public string Type { get; set; } = RunRecordLines.Summary;

    public DateTimeOffset FinishedAt { get; set; }

    public long DurationMs { get; set; }

    public int Total { get; set; }

    public int Succeeded { get; set; }

    public int Failed { get; set; }

    public int NotStarted { get; set; }

    public int MigrationsApplied { get; set; }

    public bool Cancelled { get; set; }
}

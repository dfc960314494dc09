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

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // Readable with cat and grep; each line is a file's content, never HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>
    /// As <see cref="Json"/>, with generated metadata, for writing: building it by reflection was a tenth of a no-op
    /// run's CPU. Reading keeps reflection, which leaves a line's missing lists at their initial empty values.
    /// </summary>
    public static readonly JsonSerializerOptions WriteJson = new(Json)
    {
        TypeInfoResolver = JsonTypeInfoResolver.Combine(RunRecordJsonContext.Default, new DefaultJsonTypeInfoResolver()),
    };
}

[JsonSerializable(typeof(RunHeaderLine))]
[JsonSerializable(typeof(RunTenantLine))]
[JsonSerializable(typeof(RunSummaryLine))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class RunRecordJsonContext : JsonSerializerContext;

/// <summary>The "start" or "resume" line: who ran what, never a connection string.</summary>
internal sealed record RunHeaderLine
{
    public string Type { get; init; } = RunRecordLines.Start;

    public string RunId { get; init; } = "";

    public DateTimeOffset StartedAt { get; init; }

    public string ToolVersion { get; init; } = "";

    public string MigrationsFolder { get; init; } = "";

    /// <summary>A hash over every script's file name and checksum: a resume warns when it differs.</summary>
    public string MigrationsChecksum { get; init; } = "";

    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();

    public int TenantCount { get; init; }

    public string[] Tenants { get; init; } = [];

    /// <summary>Tenants a resume skipped because the run already did them.</summary>
    public int AlreadyDone { get; init; }

    public string RunBy { get; init; } = "";
}

internal sealed record RunTenantLine
{
    public string Type { get; init; } = RunRecordLines.Tenant;

    public string Tenant { get; init; } = "";

    public DatabaseEngine Engine { get; init; }

    public TenantRunResult Outcome { get; init; }

    public TenantState StateAfter { get; init; }

    public string? VersionBefore { get; init; }

    public string? VersionAfter { get; init; }

    public string[] Applied { get; init; } = [];

    public string? ErrorId { get; init; }

    public string? Error { get; init; }

    public long DurationMs { get; init; }

    public DateTimeOffset FinishedAt { get; init; }

    /// <summary>The wave of a rollout the tenant ran in; null in a flat run.</summary>
    public string? Wave { get; init; }
}

internal sealed record RunSummaryLine
{
    public string Type { get; init; } = RunRecordLines.Summary;

    public DateTimeOffset FinishedAt { get; init; }

    public long DurationMs { get; init; }

    public int Total { get; init; }

    public int Succeeded { get; init; }

    public int Failed { get; init; }

    public int NotStarted { get; init; }

    public int MigrationsApplied { get; init; }

    public bool Cancelled { get; init; }
}

using System.Text.Json;

namespace TenantMigrations.Engine.Rollouts.RunRecords;

/// <summary>Reads a run record into a <see cref="TenantMigrationRun"/>: the last outcome of each tenant wins.</summary>
public static class RunRecordReader
{
    public static TenantMigrationRun Read(string path)
    {
        var (run, _) = ReadWithHeader(path);
        return run;
    }

    internal static (TenantMigrationRun Run, RunHeaderLine Header) ReadWithHeader(string path)
    {
        RunHeaderLine? first = null;
        var tenantNames = new List<string>();
        var known = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var outcomes = new Dictionary<string, TenantRunOutcome>(StringComparer.OrdinalIgnoreCase);
        var resumes = 0;
        var applied = 0;
        var duration = TimeSpan.Zero;
        DateTimeOffset? partStarted = null;
        DateTimeOffset? lastFinished = null;
        DateTimeOffset? closedAt = null;
        RunHeaderLine? lastHeader = null;

        using (var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite)))
        {
            while (reader.ReadLine() is { } text)
            {
                if (!TryParse(text, out var line, out var type)) continue;
                switch (type)
                {
                    case RunRecordLines.Start or RunRecordLines.Resume:
                        if (TryRead<RunHeaderLine>(line) is not { } header) continue;
                        if (first is null)
                        {
                            if (type != RunRecordLines.Start) throw Invalid(path, "it does not open with a \"start\" line");
                            first = header;
                        }
                        else
                        {
                            resumes++;
                        }
                        CloseOpenPart();
                        lastHeader = header;
                        partStarted = header.StartedAt;
                        closedAt = null;
                        foreach (var name in header.Tenants) if (known.Add(name)) tenantNames.Add(name);
                        break;
                    case RunRecordLines.Tenant when first is not null:
                        if (TryRead<RunTenantLine>(line) is not { } tenant) continue;
                        // Removing first keeps the outcomes in the order of their last finish.
                        outcomes.Remove(tenant.Tenant);
                        outcomes[tenant.Tenant] = ToOutcome(tenant);
                        if (known.Add(tenant.Tenant)) tenantNames.Add(tenant.Tenant);
                        applied += tenant.Applied.Length;
                        lastFinished = tenant.FinishedAt;
                        break;
                    case RunRecordLines.Summary when first is not null && partStarted is not null:
                        if (TryRead<RunSummaryLine>(line) is not { } summary) continue;
                        duration += TimeSpan.FromMilliseconds(summary.DurationMs);
                        closedAt = summary.FinishedAt;
                        partStarted = null;
                        lastFinished = null;
                        break;
                }
            }
        }
        if (first is null) throw Invalid(path, "it has no \"start\" line");
        CloseOpenPart();

        var left = tenantNames.Where(n => !outcomes.ContainsKey(n)).ToArray();
        var all = outcomes.Values.ToArray();
        var run = new TenantMigrationRun
        {
            RunId = first.RunId,
            StartedAt = first.StartedAt,
            FinishedAt = closedAt,
            Complete = closedAt is not null && left.Length == 0,
            Resumes = resumes,
            ToolVersion = first.ToolVersion,
            MigrationsFolder = first.MigrationsFolder,
            Options = first.Options,
            TenantCount = tenantNames.Count,
            Done = all.Count(o => o.Succeeded),
            Failed = all.Count(o => !o.Succeeded),
            MigrationsApplied = applied,
            Duration = duration,
            Tenants = all,
            TenantsLeft = left,
            Path = path,
        };
        return (run, lastHeader!);

        // A part of the run that never closed (killed) lasted until its last tenant finished.
        void CloseOpenPart()
        {
            if (partStarted is { } started && lastFinished is { } finished && finished > started) duration += finished - started;
            partStarted = null;
            lastFinished = null;
        }
    }

    /// <summary>A line torn by a killed process, or one this version does not know, is passed over.</summary>
    private static bool TryParse(string text, out JsonElement line, out string? type)
    {
        line = default;
        type = null;
        if (string.IsNullOrWhiteSpace(text)) return false;
        try
        {
            using var document = JsonDocument.Parse(text);
            line = document.RootElement.Clone();
            type = line.ValueKind == JsonValueKind.Object && line.TryGetProperty("type", out var typeProperty) ? typeProperty.GetString() : null;
            return type is not null;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static TLine? TryRead<TLine>(JsonElement line) where TLine : class
    {
        try
        {
            return line.Deserialize(RunRecordLines.TypeInfo<TLine>());
        }
        catch (JsonException)
        {
            return null;
        }
    }

    internal static TenantRunOutcome ToOutcome(RunTenantLine line) => new()
    {
        TenantName = line.Tenant,
        Engine = line.Engine,
        Result = line.Outcome,
        StateAfter = line.StateAfter,
        VersionBefore = line.VersionBefore,
        VersionAfter = line.VersionAfter,
        Applied = line.Applied,
        ErrorId = line.ErrorId,
        ErrorMessage = line.Error,
        Duration = TimeSpan.FromMilliseconds(line.DurationMs),
        FinishedAt = line.FinishedAt,
        Wave = line.Wave,
    };

    private static InvalidDataException Invalid(string path, string why) => new($"{path} is not a run record: {why}.");
}

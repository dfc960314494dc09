using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using TenantMigrations.Engine.Rollouts;

namespace TenantMigrations.Cli;

/// <summary>The rollout options of migrate: waves, breaker, budget, partition, per-server throttle, skip-locked (--exclude selects tenants, in FleetOptions).</summary>
public sealed class RolloutCliOptions
{
    public Option<string?> Waves { get; } = new("--waves")
    {
        Description = "Run in waves, comma-separated: a tag (canary), a percentage of the tenants left (10%) or rest. Overrides \"waves\" of the settings file.",
        HelpName = "list",
        CustomParser = r => Parse(r, text => WaveDefinition.Parse(text) is { } _ ? text : null),
    };

    public Option<string?> Wave { get; } = new("--wave")
    {
        Description = "Run this wave only (a name from --waves or the settings file).",
        HelpName = "name",
    };

    public Option<TimeSpan?> WaveDelay { get; } = new("--wave-delay")
    {
        Description = "Pause between waves, e.g. 90s, 10m, 2h45m.",
        HelpName = "duration",
        CustomParser = r => Parse<TimeSpan?>(r, text => DurationText.Parse(text, "--wave-delay")),
    };

    public Option<int?> MaxFailures { get; } = new("--max-failures")
    {
        Description = "Circuit breaker: once more than N tenants failed, no new tenant starts (waves: the allowance of every wave after the first; the first allows 0).",
        HelpName = "n",
        CustomParser = r => Parse<int?>(r, text => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw new ArgumentException($"--max-failures must be a whole number, 0 or more, not '{text}'.")),
    };

    public Option<double?> MaxFailureRate { get; } = new("--max-failure-rate")
    {
        Description = $"Circuit breaker: once more than P% of the finished tenants failed (counted after {CircuitBreaker.MinimumFinished} finished), no new tenant starts.",
        HelpName = "P%",
        CustomParser = r => Parse<double?>(r, text => ParseRate(text)),
    };

    public Option<TimeSpan?> MaxDuration { get; } = new("--max-duration")
    {
        Description = "Time budget, e.g. 2h45m: once spent no new tenant starts, the tenants in flight finish, and the exit code is 3 (incomplete).",
        HelpName = "duration",
        CustomParser = r => Parse<TimeSpan?>(r, text => DurationText.Parse(text, "--max-duration") is { } d && d > TimeSpan.Zero ? d : throw new ArgumentException("--max-duration must be longer than 0.")),
    };

    public Option<string?> Partition { get; } = new("--partition")
    {
        Description = $"Take the i-th of N stable shares of the tenants (1-based, e.g. 2/3). Without it, {TenantPartition.IndexVariable} (0-based) with --partition-count or {TenantPartition.CountVariable} is used.",
        HelpName = "i/N",
    };

    public Option<int?> PartitionCount { get; } = new("--partition-count")
    {
        Description = $"The number of partitions N, for an index taken from {TenantPartition.IndexVariable}.",
        HelpName = "n",
        CustomParser = r => Parse<int?>(r, text => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 ? n : throw new ArgumentException($"--partition-count must be a whole number of at least 1, not '{text}'.")),
    };

    public Option<int?> ThrottlePerServer { get; } = new("--throttle-per-server")
    {
        Description = "Most tenants that run at once on one database server (host and port), beside --throttle. SQLite tenants have no cap.",
        HelpName = "n",
        CustomParser = r => Parse<int?>(r, text => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 ? n : throw new ArgumentException($"--throttle-per-server must be a whole number of at least 1, not '{text}'.")),
    };

    public Option<bool> SkipLocked { get; } = new("--skip-locked")
    {
        Description = "Report a tenant locked by another runner as skipped, not as a failure, so overlapping runners exit 0.",
    };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Waves, Wave, WaveDelay, MaxFailures, MaxFailureRate, MaxDuration, Partition, PartitionCount, ThrottlePerServer, SkipLocked })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The rollout the options describe; a bad --partition (or JOB_COMPLETION_INDEX) is a usage error.</summary>
    public RolloutOptions Read(ParseResult parseResult)
    {
        TenantPartition? partition;
        try
        {
            partition = TenantPartition.Resolve(parseResult.GetValue(Partition), parseResult.GetValue(PartitionCount), Environment.GetEnvironmentVariable);
        }
        catch (ArgumentException ex)
        {
            throw new UsageException(ex.Message);
        }
        return new RolloutOptions
        {
            Waves = parseResult.GetValue(Waves) is { } waves ? WaveDefinition.Parse(waves) : null,
            OnlyWave = parseResult.GetValue(Wave),
            WaveDelay = parseResult.GetValue(WaveDelay) ?? TimeSpan.Zero,
            MaxFailures = parseResult.GetValue(MaxFailures),
            MaxFailureRate = parseResult.GetValue(MaxFailureRate),
            MaxDuration = parseResult.GetValue(MaxDuration),
            Partition = partition,
            ThrottlePerServer = parseResult.GetValue(ThrottlePerServer),
            SkipLocked = parseResult.GetValue(SkipLocked),
        };
    }

    /// <summary>"5%" or "5": a percentage from 0 to 100.</summary>
    public static double ParseRate(string text)
    {
        var number = text.Trim().TrimEnd('%');
        if (double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) && rate >= 0 && rate <= 100) return rate;
        throw new ArgumentException($"--max-failure-rate must be a percentage from 0 to 100, such as 5%, not '{text}'.");
    }

    private static T Parse<T>(ArgumentResult result, Func<string, T> parse)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
        try
        {
            return parse(text);
        }
        catch (ArgumentException ex)
        {
            result.AddError(ex.Message);
            return default!;
        }
    }
}

using System.Reflection;
using TenantMigrations.Engine.Planning;

namespace TenantMigrations.Engine.Execution;

public sealed record MigrateOptions
{
    public PlanOptions Plan { get; init; } = new();

    /// <summary>How many tenants run at once.</summary>
    public int ThrottleLimit { get; init; } = 4;

    /// <summary>Plan and report only: no lock, no journal table, no change.</summary>
    public bool DryRun { get; init; }

    /// <summary>How long to wait for a tenant's lock before reporting it Locked.</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Attempts for transient connection failures (1 = no retry).</summary>
    public int MaxAttempts { get; init; } = 4;

    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    public string RunId { get; init; } = Guid.NewGuid().ToString("N");

    public string AppliedBy { get; init; } = $"{Environment.UserName}@{Environment.MachineName}";

    public static string ToolVersion { get; } =
        typeof(MigrateOptions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public void Validate()
    {
        if (ThrottleLimit < 1) throw new ArgumentOutOfRangeException(nameof(ThrottleLimit), ThrottleLimit, "ThrottleLimit must be at least 1.");
        if (LockTimeout < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(LockTimeout), LockTimeout, "LockTimeout cannot be negative.");
        if (MaxAttempts < 1) throw new ArgumentOutOfRangeException(nameof(MaxAttempts), MaxAttempts, "MaxAttempts must be at least 1.");
    }
}

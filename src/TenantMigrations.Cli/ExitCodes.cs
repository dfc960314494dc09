namespace TenantMigrations.Cli;

/// <summary>The process exit codes.</summary>
public static class ExitCodes
{
    /// <summary>Every tenant is fine (status: UpToDate or Pending; migrate: all succeeded).</summary>
    public const int Success = 0;

    /// <summary>Some tenants failed, are locked, blocked, unreachable or invalid, a tenant source stayed unreachable after retries, or the run was cancelled.</summary>
    public const int TenantsFailed = 1;

    /// <summary>Invalid input or usage: bad migrations folder, bad tenants source, bad option, unknown command.</summary>
    public const int InvalidInput = 2;

    /// <summary>migrate: the time budget (--max-duration) was spent before every tenant started; nothing failed. Run again to finish.</summary>
    public const int Incomplete = 3;
}

/// <summary>A usage problem found by the CLI itself (exit code 2).</summary>
public sealed class UsageException(string message) : Exception(message);

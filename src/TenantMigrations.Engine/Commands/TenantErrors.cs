namespace TenantMigrations.Engine.Commands;

/// <summary>Turns per-tenant outcomes into non-terminating errors with stable ids.</summary>
public static class TenantErrors
{
    /// <summary>The error id that best describes a tenant found in a state that blocks or failed a run.</summary>
    public static string ErrorIdFor(TenantState state, bool hasOutOfOrder = false) => state switch
    {
        TenantState.Failed => ErrorIds.MigrationFailed,
        TenantState.Drifted => ErrorIds.ChecksumMismatch,
        TenantState.Incomplete => ErrorIds.IncompleteMigration,
        TenantState.Locked => ErrorIds.TenantLocked,
        TenantState.Unreachable => ErrorIds.TenantUnreachable,
        TenantState.Invalid => ErrorIds.InvalidMigration,
        TenantState.Pending when hasOutOfOrder => ErrorIds.OutOfOrder,
        _ => ErrorIds.MigrationFailed,
    };

    /// <summary>The error for a result that did not succeed, with the result itself as the target object.</summary>
    public static CommandError ForResult(TenantMigrationResult result)
    {
        var errorId = result.Error?.ErrorId is { Length: > 0 } id ? id : ErrorIdFor(result.StateAfter);
        var message = $"Tenant '{result.TenantName}': {result.Error?.Message ?? $"ended in state {result.StateAfter}."}";
        return CommandError.For(errorId, message, result, new TenantMigrationException(errorId, result.TenantName, message, result.Error));
    }

    public static CommandError ForTenant(Tenant tenant, string errorId, string problem, object? target = null)
    {
        if (errorId == ErrorIds.TenantUnreachable && tenant.CredentialProblem is not null) errorId = ErrorIds.TenantSecretUnavailable;
        var message = $"Tenant '{tenant.Name}': {problem}";
        return CommandError.For(errorId, message, target ?? tenant, new TenantMigrationException(errorId, tenant.Name, message));
    }
}

using TenantMigrations.Engine.Execution;

namespace TenantMigrations.Engine.Rollouts.SharedRuns;

/// <summary>The rollout's own gate, with the claims of a shared run around it: what is refused goes back, what finishes is written.</summary>
internal sealed class ClaimGate(ITenantGate inner, TenantClaimQueue claims) : ITenantGate
{
    public async Task<IDisposable?> EnterAsync(Tenant tenant, CancellationToken cancellationToken)
    {
        var slot = await inner.EnterAsync(tenant, cancellationToken).ConfigureAwait(false);
        if (slot is null) await claims.StopAsync(tenant).ConfigureAwait(false);
        return slot;
    }

    public async Task<TenantMigrationResult> CompleteAsync(TenantMigrationResult result, CancellationToken cancellationToken)
    {
        result = await inner.CompleteAsync(result, cancellationToken).ConfigureAwait(false);
        await claims.FinishAsync(result).ConfigureAwait(false);
        return result;
    }
}

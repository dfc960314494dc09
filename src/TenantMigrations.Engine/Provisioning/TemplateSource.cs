using TenantMigrations.Engine.Dialects;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Planning;

namespace TenantMigrations.Engine.Provisioning;

/// <summary>
/// The template a tenant is copied from, read once before any copy starts: a session left open on a PostgreSQL
/// template database would make CREATE DATABASE ... TEMPLATE fail. A template must exist, have a journal and be
/// neither failed, incomplete nor drifted: its copies would inherit the problem.
/// </summary>
internal sealed record TemplateSource(Tenant Template, string? Version, string? Problem)
{
    public static async Task<TemplateSource> ReadAsync(IDatabaseDialect dialect, Tenant template, MigrationSet set, ConnectionLimits limits, CancellationToken cancellationToken)
    {
        try
        {
            if (!await dialect.TenantExistsAsync(template, limits, cancellationToken).ConfigureAwait(false))
            {
                return Unusable(template, $"{dialect.StoreDescription(template)} not found.");
            }
            var snapshots = await dialect.ReadJournalsAsync([template], set.Settings.JournalTable, limits, cancellationToken).ConfigureAwait(false);
            var snapshot = snapshots[template];
            if (!snapshot.JournalExists) return Unusable(template, "it has no journal; migrate it first.");
            var plan = Planner.Plan(set, template, snapshot, new PlanOptions(), dialect);
            if (plan.State is not (TenantState.UpToDate or TenantState.Pending) || plan.Blocker is not null)
            {
                return Unusable(template, $"it is {plan.State}{(plan.Blocker is null ? "" : ": " + plan.Blocker.Message)}");
            }
            return new TemplateSource(template, plan.CurrentVersion, null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return Unusable(template, Redaction.MessageOf(ex, template));
        }
    }

    private static TemplateSource Unusable(Tenant template, string reason) => new(template, null, $"template '{template.Name}' cannot be used: {reason}");

    /// <summary>Where a tenant or template lives: tenants on one server (or in one folder) share a template.</summary>
    public static string KeyOf(IDatabaseDialect dialect, Tenant tenant) => $"{tenant.Engine}|{dialect.StatusBatchKey(tenant)}|{dialect.StoreDescription(tenant)}";
}

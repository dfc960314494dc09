using System.Text;
using TenantMigrations.Engine.Dialects;
using TenantMigrations.Engine.Journal;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Planning;

namespace TenantMigrations.Engine.Execution;

/// <summary>The SQL one tenant would run, as a reviewable script.</summary>
public sealed class TenantScriptExport
{
    public required Tenant Tenant { get; init; }

    public required TenantState State { get; init; }

    public IReadOnlyList<string> Versions { get; init; } = [];

    public required string Sql { get; init; }

    /// <summary>Why nothing can be exported for the tenant (blocked, unreachable); null otherwise.</summary>
    public string? Problem { get; init; }
}

internal static class ScriptExporter
{
    public static TenantScriptExport Export(IDatabaseDialect dialect, MigrationSet set, TenantPlan plan, JournalSnapshot snapshot)
    {
        var tenant = plan.Tenant;
        var sql = new StringBuilder();
        sql.Append("-- TenantMigrations script for tenant ").Append(tenant.Name).Append(" (").Append(tenant.Engine).Append(")\n");
        var problem = snapshot.UnreachableReason ?? plan.Blocker?.Message;
        if (problem is not null)
        {
            sql.Append("-- nothing to run: ").Append(problem.Replace('\n', ' ')).Append('\n');
            return new TenantScriptExport { Tenant = tenant, State = snapshot.UnreachableReason is null ? plan.State : snapshot.InvalidTenant ? TenantState.Invalid : TenantState.Unreachable, Sql = sql.ToString(), Problem = problem };
        }
        foreach (var statement in dialect.SessionStatements(tenant)) sql.Append(statement).Append(";\n");
        if (!snapshot.JournalExists)
        {
            foreach (var statement in dialect.CreateJournalStatements(tenant, set.Settings.JournalTable)) sql.Append(statement).Append(";\n");
        }
        var journal = new JournalWriter(dialect, tenant, set.Settings.JournalTable);
        var rank = snapshot.Entries.Count == 0 ? 0 : snapshot.Entries.Max(e => e.InstalledRank);
        foreach (var pending in plan.Pending)
        {
            var transactional = pending.Transactional && dialect.SupportsTransactionalDdl;
            var entry = pending.StartEntry(++rank, appliedBy: "export", runId: null) with { State = JournalState.Succeeded, FinishedAt = DateTime.UtcNow, DurationMs = 0 };
            sql.Append("\n-- ").Append(pending.Script.FileName).Append(transactional ? "" : " (no transaction)").Append('\n');
            if (transactional) sql.Append("BEGIN;\n");
            foreach (var statement in pending.Statements) sql.Append(dialect.ScriptStatement(statement)).Append('\n');
            sql.Append(journal.InsertLiteral(entry)).Append(";\n");
            if (transactional) sql.Append("COMMIT;\n");
        }
        return new TenantScriptExport { Tenant = tenant, State = plan.State, Versions = plan.Pending.Select(p => p.Migration.Key).ToList(), Sql = sql.ToString() };
    }
}

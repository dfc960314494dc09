using System.Collections.Concurrent;
using System.Diagnostics;
using TenantMigrations.Engine.Dialects;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Journal;
using TenantMigrations.Engine.Migrations;

namespace TenantMigrations.Engine.Provisioning;

/// <summary>
/// New-Tenant / provision: creates each missing tenant, from a template where one is named and the engine can copy
/// it, then migrates it exactly as migrate does. An existing tenant is only migrated, so provisioning is idempotent:
/// an existing up-to-date tenant reports UpToDate with Created false.
/// </summary>
public sealed class FleetProvisioner(DialectRegistry? dialects = null)
{
    private readonly DialectRegistry dialects = dialects ?? DialectRegistry.CreateDefault();

    /// <param name="templateName">The template tenant's name on each tenant's server (schema, database) or in its folder (SQLite); null replays the migrations.</param>
    public async Task<MigrationRunSummary> ProvisionAsync(IReadOnlyList<Tenant> tenants, MigrationSet set, MigrateOptions options, string? templateName, IFleetSink sink, CancellationToken cancellationToken = default)
    {
        options = options with { CreateMissing = true };
        options.Validate();
        var clock = Stopwatch.StartNew();
        var results = new ConcurrentBag<TenantMigrationResult>();
        var templates = templateName is null ? null : await ReadTemplatesAsync(tenants, set, options, templateName, cancellationToken).ConfigureAwait(false);
        try
        {
            await FleetWorkers.ForEachAsync(tenants, options.ThrottleLimit, async (tenant, token) =>
            {
                sink.Post(new TenantStarted(tenant));
                var result = await ProvisionOneAsync(tenant, set, options, templates, sink, token).ConfigureAwait(false);
                results.Add(result);
                sink.Post(new TenantFinished(result));
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Tenants not yet started stay as they were; the summary counts them as skipped.
        }
        return FleetMigrator.Summarize(options.RunId, tenants.Count, results, cancellationToken.IsCancellationRequested, clock.Elapsed);
    }

    /// <summary>Each distinct template is read once, before any tenant is copied from it.</summary>
    private async Task<Dictionary<Tenant, TemplateSource>> ReadTemplatesAsync(IReadOnlyList<Tenant> tenants, MigrationSet set, MigrateOptions options, string templateName, CancellationToken cancellationToken)
    {
        var byKey = new Dictionary<string, TemplateSource>();
        var templates = new Dictionary<Tenant, TemplateSource>();
        foreach (var tenant in tenants)
        {
            var dialect = dialects.For(tenant.Engine);
            if (TenantChecks.Problem(dialect, tenant) is not null) continue;
            Tenant template;
            try
            {
                template = dialect.TemplateFor(tenant, templateName);
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidIdentifierException)
            {
                templates[tenant] = new TemplateSource(tenant, null, $"template '{templateName}' cannot be used for tenant '{tenant.Name}': {ex.Message}");
                continue;
            }
            if (tenant.Engine == DatabaseEngine.MySql)
            {
                // Nothing to read: MySQL cannot copy a database, so the tenant is built by replaying (with a warning).
                templates[tenant] = new TemplateSource(template, null, null);
                continue;
            }
            var key = TemplateSource.KeyOf(dialect, template);
            if (!byKey.TryGetValue(key, out var source))
            {
                source = await TemplateSource.ReadAsync(dialect, template, set, options.Limits, cancellationToken).ConfigureAwait(false);
                byKey[key] = source;
            }
            templates[tenant] = source;
        }
        return templates;
    }

    private async Task<TenantMigrationResult> ProvisionOneAsync(Tenant tenant, MigrationSet set, MigrateOptions options, Dictionary<Tenant, TemplateSource>? templates, IFleetSink sink, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var dialect = dialects.For(tenant.Engine);
        var migrator = new TenantMigrator(dialect, set, options, sink);
        if (templates is null || !templates.TryGetValue(tenant, out var template)) return await migrator.MigrateAsync(tenant, cancellationToken).ConfigureAwait(false);
        try
        {
            if (TemplateSource.KeyOf(dialect, template.Template) == TemplateSource.KeyOf(dialect, tenant))
            {
                return Refused(tenant, options, ErrorIds.TemplateUnusable, $"tenant '{tenant.Name}' is the template itself; it is not provisioned from itself.", clock);
            }
            if (await dialect.TenantExistsAsync(tenant, options.Limits, cancellationToken).ConfigureAwait(false))
            {
                return await migrator.MigrateAsync(tenant, cancellationToken).ConfigureAwait(false);
            }
            if (template.Problem is not null) return Refused(tenant, options, ErrorIds.TemplateUnusable, template.Problem, clock);
            if (options.DryRun)
            {
                var planned = await migrator.MigrateAsync(tenant, cancellationToken).ConfigureAwait(false);
                planned.Template = template.Template.Name;
                return planned;
            }
            var cloned = false;
            try
            {
                await dialect.CloneAsync(template.Template, tenant, set.Settings.JournalTable, options.Limits, cancellationToken).ConfigureAwait(false);
                await RecordTemplateAsync(dialect, tenant, template, set.Settings.JournalTable, options, cancellationToken).ConfigureAwait(false);
                cloned = true;
            }
            catch (NotSupportedException ex)
            {
                sink.Post(new FleetLog(FleetLogLevel.Warning, $"{tenant.Name}: {ex.Message}"));
            }
            var result = await migrator.MigrateAsync(tenant, cancellationToken).ConfigureAwait(false);
            if (cloned)
            {
                result.Created = true;
                result.Template = template.Template.Name;
            }
            return result;
        }
        catch (ProvisioningException ex)
        {
            return Refused(tenant, options, ex.ErrorId, Redaction.Text(ex.Message, tenant), clock);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var result = Refused(tenant, options, ErrorIds.TenantFailed, $"tenant '{tenant.Name}': {Redaction.MessageOf(ex, tenant)}", clock);
            result.StateBefore = result.StateAfter = TenantState.Failed;
            return result;
        }
    }

    /// <summary>
    /// The copy carries the template's journal rows; one more row, of kind template, says where it came from and at
    /// which version. The planner ignores it; history shows it.
    /// </summary>
    private static async Task RecordTemplateAsync(IDatabaseDialect dialect, Tenant tenant, TemplateSource template, string journalTable, MigrateOptions options, CancellationToken cancellationToken)
    {
        await using var connection = dialect.CreateConnection(tenant, forWriting: true, options.Limits);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await dialect.PrepareSessionAsync(connection, tenant, cancellationToken).ConfigureAwait(false);
        var tenantLock = await dialect.TryLockAsync(connection, tenant, journalTable, options.LockTimeout, cancellationToken, options.RunId).ConfigureAwait(false)
            ?? throw new ProvisioningException(ErrorIds.TenantLocked, $"another runner holds the migration lock of tenant '{tenant.Name}', which was just copied from template '{template.Template.Name}'.");
        await using (tenantLock.ConfigureAwait(false))
        {
            var snapshot = await dialect.ReadJournalAsync(connection, tenant, journalTable, cancellationToken).ConfigureAwait(false);
            var now = DateTime.UtcNow;
            var entry = new JournalEntry
            {
                InstalledRank = snapshot.Entries.Count == 0 ? 1 : snapshot.Entries.Max(e => e.InstalledRank) + 1,
                Version = template.Version,
                Description = $"template {template.Template.Name}",
                Kind = MigrationKind.Template,
                State = JournalState.Succeeded,
                StartedAt = now,
                FinishedAt = now,
                DurationMs = 0,
                AppliedBy = options.AppliedBy.Length > JournalColumns.MaxAppliedByLength ? options.AppliedBy[..JournalColumns.MaxAppliedByLength] : options.AppliedBy,
                RunId = options.RunId,
                ToolVersion = MigrateOptions.ToolVersion,
            };
            await new JournalWriter(dialect, tenant, journalTable).InsertAsync(connection, null, entry, cancellationToken).ConfigureAwait(false);
        }
    }

    private static TenantMigrationResult Refused(Tenant tenant, MigrateOptions options, string errorId, string message, Stopwatch clock) => new()
    {
        Tenant = tenant,
        RunId = options.RunId,
        DryRun = options.DryRun,
        StateBefore = TenantState.Invalid,
        StateAfter = TenantState.Invalid,
        Error = new MigrationError { ErrorId = errorId, Message = message },
        Duration = clock.Elapsed,
    };
}

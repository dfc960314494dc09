using System.CommandLine;
using System.Text.Json.Nodes;
using TenantMigrations.Engine.Commands;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Tenants;

namespace TenantMigrations.Cli;

/// <summary>
/// tenantmigrations provision: New-Tenant's logic. Creates each selected tenant that is missing (from --template where
/// the engine can copy one) and migrates it; an existing tenant is only migrated. The tenants come from the usual
/// sources, or one new tenant is given with --name, --engine and --connection (--name is then its name, not a filter).
/// </summary>
public static class ProvisionCommand
{
    public static Command Create(FleetOptions options)
    {
        var engine = new Option<DatabaseEngine?>("--engine") { Description = "The new tenant's engine (sqlite, postgres or mysql), with --name and --connection.", HelpName = "engine" };
        var connection = new Option<string?>("--connection") { Description = "The new tenant's connection string, with --name (and --engine, --schema).", HelpName = "conn" };
        var schema = new Option<string?>("--schema") { Description = "The new tenant's PostgreSQL schema (schema per tenant), with --connection.", HelpName = "schema" };
        var template = new Option<string?>("--template")
        {
            Description = "Copy a missing tenant from this template tenant: a schema or database on the same server, or a SQLite file (a bare name is a file beside the tenant's). MySQL cannot copy: its tenants replay the migrations.",
            HelpName = "name",
        };
        var dryRun = new Option<bool>("--dry-run") { Description = "Report what would be created and applied; create and change nothing." };
        var lockTimeout = FleetOptions.SecondsOption("--lock-timeout", "Seconds to wait for a tenant's migration lock before reporting it Locked (default: 10).", TimeSpan.FromDays(1));
        var ddlLockTimeout = FleetOptions.SecondsOption("--ddl-lock-timeout", "Seconds a migration's DDL may wait for a table lock before it is rolled back and retried (default: 5).", TimeSpan.FromHours(1));

        var command = new Command("provision", "Create the selected tenants that are missing (from --template where the engine can copy it), then apply the pending migrations. Existing tenants are only migrated.");
        options.AddTo(command);
        foreach (var option in new Option[] { engine, connection, schema, template, dryRun, lockTimeout, ddlLockTimeout }) command.Options.Add(option);
        options.AddLimitsTo(command);
        command.SetAction((parseResult, cancellationToken) => CliApp.RunAsync(options.IsJson(parseResult), async console =>
        {
            var json = options.IsJson(parseResult);
            var set = options.LoadMigrations(parseResult);
            var tenants = await TenantsAsync(parseResult, options, set, engine, connection, schema, console, cancellationToken);
            var migrateOptions = new MigrateOptions
            {
                Plan = options.PlanOptions(parseResult),
                ThrottleLimit = parseResult.GetValue(options.Throttle),
                Limits = options.Limits(parseResult),
                LockTimeout = TimeSpan.FromSeconds(parseResult.GetValue(lockTimeout) ?? 10),
                DdlLockTimeout = TimeSpan.FromSeconds(parseResult.GetValue(ddlLockTimeout) ?? 5),
            };
            var dry = parseResult.GetValue(dryRun);
            var nameWidth = tenants.Max(t => t.Name.Length);
            var results = new List<TenantMigrationResult>();
            var host = new CliCommandHost(console, json, value =>
            {
                if (value is not TenantMigrationResult result) return;
                results.Add(result);
                WriteResult(console, json, nameWidth, result);
            }, dry ? null : (_, _) => true);
            using var provision = new TenantProvisionCommand(set, migrateOptions, parseResult.GetValue(template));
            foreach (var tenant in tenants) provision.Add(tenant, host);
            using (cancellationToken.Register(provision.Cancel))
            {
                await Task.Run(() => provision.Run(host), CancellationToken.None);
            }
            cancellationToken.ThrowIfCancellationRequested();

            var created = results.Count(r => r.Created);
            var failed = results.Count(r => !r.Succeeded);
            if (json)
            {
                console.Json(new JsonObject { ["type"] = "summary", ["dryRun"] = dry, ["total"] = tenants.Count, ["created"] = created, ["fromTemplate"] = results.Count(r => r.Template is not null && r.Created), ["succeeded"] = results.Count(r => r.Succeeded), ["failed"] = failed, ["migrationsApplied"] = results.Sum(r => r.Applied.Length) });
            }
            else
            {
                console.Out(dry
                    ? $"dry run: {tenants.Count} tenants; nothing created or changed."
                    : $"{tenants.Count} tenants: {created} created, {results.Count(r => r.Succeeded)} up to date, {failed} not succeeded; {results.Sum(r => r.Applied.Length)} migrations applied");
            }
            return failed == 0 && host.ErrorCount == 0 ? ExitCodes.Success : ExitCodes.TenantsFailed;
        }));
        return command;
    }

    /// <summary>The tenant given by --name/--engine/--connection, or those of the fleet sources.</summary>
    private static async Task<IReadOnlyList<Tenant>> TenantsAsync(ParseResult parseResult, FleetOptions options, Engine.Migrations.MigrationSet set,
        Option<DatabaseEngine?> engine, Option<string?> connection, Option<string?> schema, CliConsole console, CancellationToken cancellationToken)
    {
        var connectionString = parseResult.GetValue(connection);
        if (connectionString is null)
        {
            if (parseResult.GetValue(engine) is not null || parseResult.GetValue(schema) is not null) throw new UsageException("--engine and --schema describe a new tenant: give them with --name and --connection.");
            return await options.SelectTenantsAsync(parseResult, set, console, cancellationToken);
        }
        console.AddSecretsOf(connectionString);
        var names = parseResult.GetValue(options.Name) ?? [];
        if (names.Length != 1 || names[0].IndexOfAny(['*', '?']) >= 0) throw new UsageException("--connection describes one new tenant: give its name with exactly one --name (no wildcard).");
        if ((parseResult.GetValue(options.Tenants) ?? []).Length > 0 || (parseResult.GetValue(options.Sqlite) ?? []).Length > 0 || parseResult.GetValue(options.Pg) is not null)
        {
            throw new UsageException("give either a new tenant (--name, --engine, --connection) or tenant sources (--tenants, --sqlite, --pg), not both.");
        }
        try
        {
            return [TenantInput.Create(names[0], parseResult.GetValue(engine) ?? DatabaseEngine.Sqlite, connectionString, parseResult.GetValue(schema), [], new Dictionary<string, string>(), null, null, Environment.CurrentDirectory)];
        }
        catch (TenantSourceException ex)
        {
            throw new UsageException(ex.Message);
        }
    }

    private static void WriteResult(CliConsole console, bool json, int nameWidth, TenantMigrationResult r)
    {
        if (json)
        {
            console.Json(new JsonObject
            {
                ["type"] = "result",
                ["tenant"] = r.TenantName,
                ["engine"] = r.Engine.ToString(),
                ["schema"] = r.Tenant.Schema,
                ["created"] = r.Created,
                ["template"] = r.Template,
                ["succeeded"] = r.Succeeded,
                ["stateBefore"] = r.StateBefore.ToString(),
                ["stateAfter"] = r.StateAfter.ToString(),
                ["versionBefore"] = r.VersionBefore,
                ["versionAfter"] = r.VersionAfter,
                ["applied"] = JsonLines.Strings(r.Applied.Select(m => m.Version ?? "R " + m.Description)),
                ["planned"] = JsonLines.Strings(r.Planned.Select(m => m.Version ?? "R " + m.Description)),
                ["error"] = r.Error is null ? null : new JsonObject { ["errorId"] = r.Error.ErrorId, ["message"] = CliApp.OneLine(r.Error.Message) },
                ["dryRun"] = r.DryRun,
                ["durationMs"] = (long)r.Duration.TotalMilliseconds,
                ["runId"] = r.RunId,
            });
            return;
        }
        var how = r.DryRun
            ? $"would apply {r.Planned.Length}{(r.Template is null ? "" : $" (created from template {r.Template} if missing)")}"
            : $"{(r.Created ? r.Template is null ? "created, " : $"created from template {r.Template}, " : "")}applied {r.Applied.Length} in {CliApp.Seconds(r.Duration)}";
        var line = $"{r.TenantName.PadRight(nameWidth)}  {r.StateBefore} -> {r.StateAfter}  version {r.VersionBefore ?? "-"} -> {r.VersionAfter ?? "-"}  {how}";
        if (r.Error is not null) line += $"  {r.Error.ErrorId}: {CliApp.OneLine(r.Error.Message)}";
        console.Out(line);
    }
}

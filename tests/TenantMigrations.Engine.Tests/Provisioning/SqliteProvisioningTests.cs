using Microsoft.Data.Sqlite;
using TenantMigrations.Engine.Commands;
using TenantMigrations.Engine.Dialects.Sqlite;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Tenants;
using TenantMigrations.TestSupport;
using static TenantMigrations.Engine.Tests.Provisioning.ProvisioningRuns;

namespace TenantMigrations.Engine.Tests.Provisioning;

/// <summary>Migrate no longer creates SQLite files; provision creates them, also as copies of a template file.</summary>
public sealed class SqliteProvisioningTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task Migrate_reports_a_missing_file_as_TenantNotFound_and_creates_nothing()
    {
        var migrations = WriteMigrations(folder, "migrations", 2);
        var path = folder.Combine("fleet", "acme.db");

        var result = await MigrateAsync(Sqlite("acme", path), migrations);
        var dryRunSink = new RecordingSink();
        await new FleetMigrator().MigrateAsync([Sqlite("acme", path)], MigrationSet.Load(migrations), new MigrateOptions { DryRun = true }, dryRunSink);

        Assert.Equal(TenantState.Invalid, result.StateAfter);
        Assert.Equal(ErrorIds.TenantNotFound, result.Error?.ErrorId);
        Assert.Equal($"tenant 'acme': SQLite file '{path}' not found; use New-Tenant or --create.", result.Error?.Message);
        Assert.False(result.Succeeded);
        Assert.False(File.Exists(path));
        Assert.False(Directory.Exists(folder.Combine("fleet")));
        Assert.Equal(ErrorIds.TenantNotFound, dryRunSink.Results.Single().Error?.ErrorId);
    }

    [Fact]
    public async Task Migrate_with_create_creates_the_file_and_says_so()
    {
        var migrations = WriteMigrations(folder, "migrations", 2);
        var path = folder.Combine("fleet", "acme.db");

        var created = await MigrateAsync(Sqlite("acme", path), migrations, create: true);
        var again = await MigrateAsync(Sqlite("acme", path), migrations);

        Assert.True(created.Succeeded, created.Error?.Message);
        Assert.True(created.Created);
        Assert.Equal(["1", "2"], created.Applied.Select(a => a.Version));
        Assert.True(File.Exists(path));
        Assert.True(again.Succeeded, again.Error?.Message);
        Assert.False(again.Created);
        Assert.Equal(TenantState.UpToDate, again.StateAfter);
    }

    [Fact]
    public async Task A_relative_path_in_a_tenants_file_resolves_from_its_folder_and_a_missing_one_is_not_created_elsewhere()
    {
        var migrations = WriteMigrations(folder, "migrations", 1);
        var tenantsFile = folder.Write("config/tenants.json", """[{ "name": "acme", "engine": "sqlite", "connectionString": "Data Source=data/acme.db" }]""");
        var tenant = TenantSources.FromFile(tenantsFile).Single();

        var result = await MigrateAsync(tenant, migrations);

        Assert.Equal(folder.Combine("config", "data", "acme.db"), SqliteDialect.DatabasePath(tenant));
        Assert.Equal(ErrorIds.TenantNotFound, result.Error?.ErrorId);
        Assert.Contains(folder.Combine("config", "data", "acme.db"), result.Error!.Message);
        Assert.False(File.Exists(Path.Combine(Environment.CurrentDirectory, "data", "acme.db")));
    }

    [Fact]
    public async Task Provision_creates_the_file_and_its_folder_then_is_idempotent()
    {
        var migrations = WriteMigrations(folder, "migrations", 3);
        var tenant = Sqlite("acme", folder.Combine("new", "deeper", "acme.db"));

        var (first, _) = await ProvisionAsync([tenant], migrations);
        var (second, _) = await ProvisionAsync([tenant], migrations);

        var created = first.Single();
        Assert.True(created.Succeeded, created.Error?.Message);
        Assert.True(created.Created);
        Assert.Null(created.Template);
        Assert.Equal(["1", "2", "3"], created.Applied.Select(a => a.Version));
        var existing = second.Single();
        Assert.True(existing.Succeeded, existing.Error?.Message);
        Assert.False(existing.Created);
        Assert.Equal(TenantState.UpToDate, existing.StateBefore);
        Assert.Empty(existing.Applied);
    }

    [Fact]
    public async Task Provision_from_a_template_copies_its_file_and_journal_records_the_template_then_applies_the_rest()
    {
        var old = WriteMigrations(folder, "v2", 2);
        var current = WriteMigrations(folder, "v4", 4);
        var templatePath = folder.Combine("fleet", "template.db");
        Assert.True((await MigrateAsync(Sqlite("template", templatePath), old, create: true)).Succeeded);
        var tenants = new[] { Sqlite("acme", folder.Combine("fleet", "acme.db")), Sqlite("globex", folder.Combine("fleet", "globex.db")) };

        var (results, _) = await ProvisionAsync(tenants, current, template: "template");

        foreach (var result in results)
        {
            Assert.True(result.Succeeded, result.Error?.Message);
            Assert.True(result.Created);
            Assert.Equal("template", result.Template);
            Assert.Equal("2", result.VersionBefore);
            Assert.Equal(["3", "4"], result.Applied.Select(a => a.Version));
            var path = SqliteDialect.DatabasePath(result.Tenant);
            Assert.Equal(["versioned 1 accounts", "versioned 2 table 2", "template 2 template template", "versioned 3 table 3", "versioned 4 table 4"], await SqliteJournalAsync(path));
            Assert.Equal("seed", await ScalarAsync(path, "SELECT name FROM accounts WHERE id = 1"));
        }
        Assert.Equal(["versioned 1 accounts", "versioned 2 table 2"], await SqliteJournalAsync(templatePath));
        var status = await new FleetMigrator().GetStatusAsync(tenants, MigrationSet.Load(current), new());
        Assert.All(status, s => Assert.Equal(TenantState.UpToDate, s.State));
    }

    [Fact]
    public async Task A_missing_template_leaves_the_tenant_uncreated_with_TemplateUnusable()
    {
        var migrations = WriteMigrations(folder, "migrations", 1);
        var path = folder.Combine("fleet", "acme.db");

        var (results, _) = await ProvisionAsync([Sqlite("acme", path)], migrations, template: "no-such-template");

        var result = results.Single();
        Assert.Equal(ErrorIds.TemplateUnusable, result.Error?.ErrorId);
        Assert.Contains("no-such-template", result.Error!.Message);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task The_history_shows_the_template_row()
    {
        var migrations = WriteMigrations(folder, "migrations", 2);
        var templatePath = folder.Combine("fleet", "template.db");
        Assert.True((await MigrateAsync(Sqlite("template", templatePath), migrations, create: true)).Succeeded);
        var tenant = Sqlite("acme", folder.Combine("fleet", "acme.db"));
        Assert.True((await ProvisionAsync([tenant], migrations, template: "template")).Results.Single().Succeeded);

        var history = new List<TenantMigrationHistoryEntry>();
        var host = new CollectingHost(history);
        using var command = new MigrationHistoryCommand(MigrationSet.Load(migrations), new HistoryFilter());
        command.Add(tenant, host);
        command.Run(host);

        var row = Assert.Single(history, e => e.Kind == MigrationKind.Template);
        Assert.Equal("2", row.Version);
        Assert.Equal("template template", row.Description);
    }

    private static async Task<string?> ScalarAsync(string path, string sql)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private sealed class CollectingHost(List<TenantMigrationHistoryEntry> history) : ICommandHost
    {
        public bool ShouldProcess(string target, string action, out bool whatIf)
        {
            whatIf = false;
            return true;
        }

        public void WriteObject(object value)
        {
            if (value is TenantMigrationHistoryEntry entry) history.Add(entry);
        }

        public void WriteError(CommandError commandError) => throw new InvalidOperationException(commandError.Message);

        public void WriteProgress(ProgressUpdate progress)
        {
        }

        public void WriteVerbose(string message)
        {
        }

        public void WriteWarning(string message)
        {
        }
    }
}

using System.Text.Json;
using Npgsql;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Commands;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Rollouts.RunRecords;
using TenantMigrations.TestSupport;

namespace TenantMigrations.Engine.Tests;

/// <summary>The run record on a real PostgreSQL server: what it holds, and what a resume skips.</summary>
[Collection(PostgresCollection.Name)]
public sealed class RunRecordTests(PostgresFixture pg) : IDisposable
{
    private const string WrongPassword = "Wr0ng-Secr3t-pw";
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    private RunStore Store => RunStore.Resolve(temp.Combine("runs"), temp.Path);

    [Fact]
    public void Each_line_reaches_the_file_before_the_write_returns_so_a_killed_process_keeps_it()
    {
        var path = temp.Combine("runs", "20261204-120000-0123abcd.jsonl");
        using var writer = RunRecordWriter.Create(path);
        for (var i = 1; i <= 3; i++)
        {
            writer.Write(new RunTenantLine { Tenant = $"t{i}", Engine = DatabaseEngine.Postgres, Outcome = TenantRunResult.Succeeded, StateAfter = TenantState.UpToDate });
            // Another process (a resume after kill -9) reads the file while this writer still holds it open.
            using var reader = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var lines = new StreamReader(reader).ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(i, lines.Length);
            var line = JsonDocument.Parse(lines[^1]).RootElement;
            Assert.Equal($"t{i}", line.GetProperty("tenant").GetString());
            Assert.Equal("Succeeded", line.GetProperty("outcome").GetString());
            Assert.Equal("Postgres", line.GetProperty("engine").GetString());
            Assert.False(line.TryGetProperty("errorId", out _));
        }
    }

    [Fact]
    public async Task The_record_has_a_start_line_a_line_per_finished_tenant_and_a_summary_and_no_password()
    {
        var connection = await pg.NewDatabaseAsync("record");
        var set = Migrations("CREATE TABLE users (id int PRIMARY KEY);\n");
        var wrong = new NpgsqlConnectionStringBuilder(connection) { Password = WrongPassword }.ConnectionString;
        Tenant[] tenants = [Schema("alpha", connection), Schema("beta", connection), Schema("locked_out", wrong)];

        var (runId, results) = await RunAsync(RunRecordRequest.NewRun(Store, new Dictionary<string, string> { ["throttle"] = "2" }), set, tenants);

        var lines = File.ReadAllLines(Store.PathOf(runId)).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["start", "tenant", "tenant", "tenant", "summary"], lines.Select(l => l.GetProperty("type").GetString()));
        var start = lines[0];
        Assert.Equal(runId, start.GetProperty("runId").GetString());
        Assert.Equal(3, start.GetProperty("tenantCount").GetInt32());
        Assert.Equal("2", start.GetProperty("options").GetProperty("throttle").GetString());
        Assert.Equal(MigrateOptions.ToolVersion, start.GetProperty("toolVersion").GetString());
        var byTenant = lines.Where(l => l.GetProperty("type").GetString() == "tenant").ToDictionary(l => l.GetProperty("tenant").GetString()!);
        Assert.Equal("Succeeded", byTenant["alpha"].GetProperty("outcome").GetString());
        Assert.Equal(["1"], byTenant["beta"].GetProperty("applied").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal("Postgres", byTenant["beta"].GetProperty("engine").GetString());
        Assert.NotEqual("Succeeded", byTenant["locked_out"].GetProperty("outcome").GetString());
        Assert.False(string.IsNullOrEmpty(byTenant["locked_out"].GetProperty("errorId").GetString()));
        Assert.Contains("password authentication failed", byTenant["locked_out"].GetProperty("error").GetString());
        var summary = lines[^1];
        Assert.Equal((3, 2, 1), (summary.GetProperty("total").GetInt32(), summary.GetProperty("succeeded").GetInt32(), summary.GetProperty("failed").GetInt32()));
        Assert.All(results, r => Assert.Equal(runId, r.RunId));

        var text = File.ReadAllText(Store.PathOf(runId));
        Assert.DoesNotContain(PostgresServer.Password, text);
        Assert.DoesNotContain(WrongPassword, text);
        Assert.DoesNotContain("Password=", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Host=", text, StringComparison.OrdinalIgnoreCase);

        var run = RunRecordReader.Read(Store.PathOf(runId));
        Assert.True(run.Complete);
        Assert.Equal((3, 2, 1, 0), (run.TenantCount, run.Done, run.Failed, run.Left));
        Assert.Equal("locked_out", Assert.Single(run.Failures).TenantName);
    }

    [Fact]
    public async Task A_resume_skips_the_done_tenants_without_connecting_to_them_and_finishes_the_rest_under_the_same_run_id()
    {
        var connection = await pg.NewDatabaseAsync("resume");
        var set = Migrations("CREATE TABLE users (id int PRIMARY KEY);\n");
        await pg.Server.ExecuteAsync("CREATE SCHEMA gamma; CREATE TABLE gamma.users (name text);", DatabaseOf(connection));
        Tenant[] tenants = [Schema("alpha", connection), Schema("beta", connection), Schema("gamma", connection), Schema("delta", connection)];
        var (runId, first) = await RunAsync(RunRecordRequest.NewRun(Store, new Dictionary<string, string>()), set, tenants);
        Assert.Equal(ErrorIds.MigrationFailed, first.Single(r => r.TenantName == "gamma").Error?.ErrorId);
        await pg.Server.ExecuteAsync("DROP TABLE gamma.users;", DatabaseOf(connection));

        // The done tenants now point at a port nothing listens on: any connection to them would make them Unreachable.
        var closed = new NpgsqlConnectionStringBuilder(connection) { Port = PostgresServer.FreePort(), Timeout = 2 }.ConnectionString;
        Tenant[] again = [Schema("alpha", closed), Schema("beta", closed), Schema("gamma", connection), Schema("delta", closed)];
        var host = new CollectingHost();
        var request = RunRecordRequest.ResumeRun(Store, runId, new Dictionary<string, string>());
        using (var command = new TenantMigrationCommand(set, new MigrateOptions { CreateMissing = true, RunId = request.RunId, MaxAttempts = 1 }) { RunRecord = request })
        {
            foreach (var tenant in again) command.Add(tenant, host);
            command.Run(host);
        }

        var result = Assert.Single(host.Objects.OfType<TenantMigrationResult>());
        Assert.Equal(("gamma", TenantState.UpToDate, runId), (result.TenantName, result.StateAfter, result.RunId));
        Assert.Empty(host.Errors);
        Assert.Contains(host.Verbose, v => v.Contains($"Resuming run {runId}: 3 tenants already done are skipped", StringComparison.Ordinal));
        // Both attempts carry the run's id: the failed one of the first part, the successful one of the resume.
        Assert.Equal($"1:failed:{runId},1:succeeded:{runId}", await pg.Server.ExecuteAsync("SELECT string_agg(version || ':' || state || ':' || run_id, ',' ORDER BY installed_rank) FROM gamma.tenant_migrations_history", DatabaseOf(connection)));
        Assert.Equal($"1:succeeded:{runId}", await pg.Server.ExecuteAsync("SELECT string_agg(version || ':' || state || ':' || run_id, ',') FROM alpha.tenant_migrations_history", DatabaseOf(connection)));
        var run = RunRecordReader.Read(Store.PathOf(runId));
        Assert.True(run.Complete, run.ToString());
        Assert.Equal((4, 4, 0, 1), (run.TenantCount, run.Done, run.Failed, run.Resumes));
        Assert.Equal(["start", "tenant", "tenant", "tenant", "tenant", "summary", "resume", "tenant", "summary"],
            File.ReadAllLines(Store.PathOf(runId)).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("type").GetString()));
    }

    [Fact]
    public async Task A_resume_warns_when_the_migrations_changed_and_an_unknown_run_is_refused_by_name()
    {
        var connection = await pg.NewDatabaseAsync("changed");
        var set = Migrations("CREATE TABLE users (id int PRIMARY KEY);\n");
        Tenant[] tenants = [Schema("alpha", connection), Schema("beta", connection)];
        var (runId, _) = await RunAsync(RunRecordRequest.NewRun(Store, new Dictionary<string, string>()), set, tenants);
        temp.Write("migrations/V2__orders.sql", "CREATE TABLE orders (id int PRIMARY KEY);\n");
        var changed = MigrationSet.Load(temp.Combine("migrations"));

        using var recording = RunRecordRequest.ResumeRun(Store, runId, new Dictionary<string, string>()).Open(changed, tenants);

        Assert.Contains(recording.Warnings, w => w.Contains("changed since run " + runId, StringComparison.Ordinal));
        Assert.Empty(recording.TenantsToRun);
        var missing = Assert.Throws<RunNotFoundException>(() => RunRecordRequest.ResumeRun(Store, "20260101-000000-deadbeef", new Dictionary<string, string>()));
        Assert.Contains("run '20260101-000000-deadbeef'", missing.Message, StringComparison.Ordinal);
        Assert.Contains(Store.Folder, missing.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => RunRecordRequest.ResumeRun(Store, "../escape", new Dictionary<string, string>()));
    }

    [Fact]
    public void A_line_torn_by_a_killed_process_is_passed_over_and_the_next_part_starts_on_its_own_line()
    {
        var path = Store.PathOf("20260101-000000-0badf00d");
        Directory.CreateDirectory(Store.Folder);
        File.WriteAllText(path,
            """{"type":"start","runId":"20260101-000000-0badf00d","startedAt":"2026-01-01T00:00:00+00:00","tenantCount":2,"tenants":["a","b"]}""" + "\n" +
            """{"type":"tenant","tenant":"a","outcome":"Succeeded","finishedAt":"2026-01-01T00:00:05+00:00"}""" + "\n" +
            """{"type":"tenant","tenant":"b","outc""");

        using (var recording = RunRecordRequest.ResumeRun(Store, "20260101-000000-0badf00d", new Dictionary<string, string>()).Open(Migrations("SELECT 1;\n"), [Schema("a", "Host=x"), Schema("b", "Host=x")]))
        {
            Assert.Equal(["b"], recording.TenantsToRun.Select(t => t.Name));
            recording.Close(cancelled: false);
        }

        var run = RunRecordReader.Read(path);
        Assert.Equal((2, 1, 0, 1), (run.TenantCount, run.Done, run.Failed, run.Left));
        Assert.False(run.Complete);
        // The killed part lasted until its last finished tenant; the resume adds its own (short) duration.
        Assert.InRange(run.Duration, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(65));
        Assert.Equal("resume", JsonDocument.Parse(File.ReadAllLines(path)[3]).RootElement.GetProperty("type").GetString());
    }

    private MigrationSet Migrations(string v1)
    {
        temp.Write("migrations/V1__users.sql", v1);
        return MigrationSet.Load(temp.Combine("migrations"));
    }

    private static Tenant Schema(string name, string connection) => new() { Name = name, Engine = DatabaseEngine.Postgres, ConnectionString = connection, Schema = name };

    private static string DatabaseOf(string connection) => new NpgsqlConnectionStringBuilder(connection).Database!;

    /// <summary>Runs as `tenantmigrations migrate` does: the engine's runner over the recording's tenants and sink.</summary>
    private static async Task<(string RunId, IReadOnlyList<TenantMigrationResult> Results)> RunAsync(RunRecordRequest request, MigrationSet set, IReadOnlyList<Tenant> tenants)
    {
        using var recording = request.Open(set, tenants);
        var sink = new RecordingSink();
        var summary = await new FleetMigrator().MigrateAsync(recording.TenantsToRun, set, new MigrateOptions { CreateMissing = true, RunId = recording.RunId, MaxAttempts = 1 }, recording.Wrap(sink));
        recording.Close(summary.Cancelled);
        return (recording.RunId, sink.Results);
    }

    private sealed class CollectingHost : ICommandHost
    {
        public List<object> Objects { get; } = [];

        public List<CommandError> Errors { get; } = [];

        public List<string> Verbose { get; } = [];

        public List<string> Warnings { get; } = [];

        public bool ShouldProcess(string target, string action, out bool whatIf)
        {
            whatIf = false;
            return true;
        }

        public void WriteObject(object value) => Objects.Add(value);

        public void WriteError(CommandError commandError) => Errors.Add(commandError);

        public void WriteProgress(ProgressUpdate progress)
        {
        }

        public void WriteVerbose(string message) => Verbose.Add(message);

        public void WriteWarning(string message) => Warnings.Add(message);
    }
}

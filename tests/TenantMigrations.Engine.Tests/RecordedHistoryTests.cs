using TenantMigrations.Engine.Journal;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Replay;

namespace TenantMigrations.Engine.Tests;

/// <summary>How a journal turns into a recorded history and into file names, without a database.</summary>
public sealed class RecordedHistoryTests
{
    private static readonly Tenant Acme = new() { Name = "acme", Engine = DatabaseEngine.Sqlite, ConnectionString = "Data Source=acme.db" };

    private static JournalEntry Row(int rank, string? version, string description, MigrationKind kind = MigrationKind.Versioned, JournalState state = JournalState.Succeeded, string? script = null) => new()
    {
        InstalledRank = rank,
        Version = version,
        Description = description,
        Kind = kind,
        State = state,
        StartedAt = DateTime.UtcNow,
        Checksum = "c" + rank,
        ScriptName = kind == MigrationKind.Repeatable ? $"R__{description}.sql" : $"V{version}__{description}.sql",
        Script = script ?? $"-- rank {rank}\nSELECT {rank};",
    };

    [Fact]
    public void The_latest_successful_run_of_each_version_and_repeatable_counts_and_undone_versions_do_not()
    {
        var history = RecordedHistoryBuilder.Build(Acme, "tenant_migrations_history",
        [
            Row(1, "1", "init"),
            Row(2, null, "views", MigrationKind.Repeatable),
            Row(3, "2", "orders"),
            Row(4, "3", "audit"),
            Row(5, null, "grants", MigrationKind.Repeatable),
            Row(6, "3", "audit", MigrationKind.Undo),
            Row(7, "2", "orders", MigrationKind.Undo),
            Row(8, "2", "orders", script: "SELECT 'orders again';"),
            Row(9, null, "views", MigrationKind.Repeatable, script: "SELECT 'views v2';"),
            Row(10, "4", "broken", state: JournalState.Failed),
        ]);

        Assert.Equal(["1", "2"], history.Versioned.Select(s => s.Key));
        Assert.Equal("SELECT 'orders again';", history.Versioned[1].Script);
        Assert.Equal("c8", history.Versioned[1].Checksum);
        Assert.Equal(["grants", "views"], history.Repeatable.Select(s => s.Description));
        Assert.Equal("SELECT 'views v2';", history.Repeatable[1].Script);
        Assert.Equal(["4"], history.Skipped.Select(e => e.Key));
        Assert.Contains(history.Warnings(), w => w.Contains("4 (failed)", StringComparison.Ordinal));
    }

    [Fact]
    public void Repeatables_keep_their_names_when_their_order_is_alphabetical_and_get_sequence_numbers_otherwise()
    {
        var inOrder = RecordedHistoryBuilder.Build(Acme, "j", [Row(1, null, "a grants", MigrationKind.Repeatable), Row(2, null, "views", MigrationKind.Repeatable)]);
        Assert.Equal(["R__a_grants.sql", "R__views.sql"], HistoryFileNames.ForRepeatables(inOrder.Repeatable));

        var outOfOrder = RecordedHistoryBuilder.Build(Acme, "j", [Row(1, null, "views", MigrationKind.Repeatable), Row(2, null, "a grants", MigrationKind.Repeatable)]);
        var names = HistoryFileNames.ForRepeatables(outOfOrder.Repeatable);
        Assert.Equal(["R__01_views.sql", "R__02_a_grants.sql"], names);
        // The loader, which orders repeatables by description, runs them in the source's order.
        using var folder = new TestSupport.TempFolder();
        foreach (var (name, script) in names.Zip(outOfOrder.Repeatable)) folder.Write(name, script.Script);
        Assert.Equal(["01 views", "02 a grants"], MigrationSet.Load(folder.Path).Repeatable.Select(m => m.Description));
    }

    [Fact]
    public void A_row_without_its_script_or_a_baseline_makes_the_history_unreplayable_naming_the_tenant()
    {
        var noScript = Assert.Throws<RecordedHistoryException>(() => RecordedHistoryBuilder.Build(Acme, "j", [Row(1, "1", "init") with { Script = null }]));
        Assert.Equal(ReplayErrorIds.HistoryNotReplayable, noScript.ErrorId);
        Assert.Contains("'acme'", noScript.Message, StringComparison.Ordinal);
        Assert.Contains("version 1", noScript.Message, StringComparison.Ordinal);

        var baselined = Assert.Throws<RecordedHistoryException>(() => RecordedHistoryBuilder.Build(Acme, "j", [Row(1, "5", "baseline", MigrationKind.Baseline), Row(2, "6", "next")]));
        Assert.Contains("baselined at version 5", baselined.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Versions_applied_out_of_order_are_named_in_a_warning()
    {
        var history = RecordedHistoryBuilder.Build(Acme, "j", [Row(1, "1", "a"), Row(2, "3", "c"), Row(3, "2", "b")]);

        Assert.Equal(["1", "2", "3"], history.Versioned.Select(s => s.Key));
        Assert.Equal(["2"], history.AppliedOutOfOrder);
        Assert.Contains(history.Warnings(), w => w.Contains("version(s) 2 were applied out of order", StringComparison.Ordinal));
    }

    [Fact]
    public void The_replay_set_keeps_the_source_checksums_file_names_and_transaction_directives()
    {
        var history = RecordedHistoryBuilder.Build(Acme, "j", [Row(1, "1", "init", script: "-- tm:transaction=false\nCREATE TABLE t (id INTEGER);"), Row(2, null, "views", MigrationKind.Repeatable)]);

        var set = ReplaySet.From(history, new MigrationSettings());

        var v1 = Assert.Single(set.Versioned).Files.Single();
        Assert.Equal("c1", v1.Checksum);
        Assert.Equal("V1__init.sql", v1.FileName);
        Assert.Null(v1.Engine);
        Assert.False(v1.Directives.Transaction);
        Assert.Equal("R__views.sql", Assert.Single(set.Repeatable).Files.Single().FileName);
    }

    [Fact]
    public void A_replayed_script_is_not_rendered_again_for_the_target()
    {
        const string text = "INSERT INTO notes (body) VALUES ('${tenant} said ${nobody}');";
        var history = RecordedHistoryBuilder.Build(Acme, "j", [Row(1, "1", "notes", script: text)]);
        var set = ReplaySet.From(history, new MigrationSettings());
        var sandbox = new Tenant { Name = "sandbox", Engine = DatabaseEngine.Sqlite, ConnectionString = "Data Source=sandbox.db" };

        var plan = Planning.Planner.Plan(set, sandbox, JournalSnapshot.Empty, new Planning.PlanOptions(), new Execution.FleetMigrator().DialectFor(sandbox));

        Assert.Null(plan.Blocker);
        var pending = Assert.Single(plan.Pending);
        Assert.Equal(text, Assert.Single(pending.Statements).TrimEnd(';').TrimEnd() + ";");
        Assert.Equal(text, pending.RenderedSql);
    }
}

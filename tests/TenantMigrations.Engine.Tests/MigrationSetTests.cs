using System.Text;
using TenantMigrations.Engine.Dialects;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.TestSupport;

namespace TenantMigrations.Engine.Tests;

public sealed class MigrationSetTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Loads_versioned_undo_repeatable_and_variants_in_numeric_order()
    {
        folder.Write("V1.10__later.sql", "select 1;");
        folder.Write("V1.9__earlier.sql", "select 1;");
        folder.Write("V2__index.sql", "select 2;");
        folder.Write("V2__index.postgres.sql", "select 22;");
        folder.Write("U2__index.sql", "select -2;");
        folder.Write("R__views.sql", "select 3;");
        folder.Write("V20261121093000__stamp.sql", "select 4;");

        var set = MigrationSet.Load(folder.Path);

        Assert.Equal(["1.9", "1.10", "2", "20261121093000"], set.Versioned.Select(m => m.Key));
        Assert.Equal("later", set.Versioned[1].Description);
        Assert.Equal("select 22;", set.Versioned[2].FileFor(DatabaseEngine.Postgres)!.Content);
        Assert.Equal("select 2;", set.Versioned[2].FileFor(DatabaseEngine.Sqlite)!.Content);
        Assert.Single(set.Undo);
        Assert.Equal("views", set.Repeatable.Single().Description);
    }

    [Theory]
    [InlineData("V1__a.sql", "V1.0__b.sql", "duplicate version")]
    [InlineData("V1__a.sql", "V1_0__b.sql", "duplicate version")]
    [InlineData("V1__a.sql", "X1__b.sql", "file name must look like")]
    [InlineData("V1__a.sql", "V1a__b.sql", "file name must look like")]
    [InlineData("V1__a.sql", "U9__b.sql", "has no versioned migration")]
    public void Invalid_sets_name_the_file_at_fault(string first, string second, string problem)
    {
        folder.Write(first, "select 1;");
        folder.Write(second, "select 1;");

        var error = Assert.Throws<MigrationSetException>(() => MigrationSet.Load(folder.Path));

        Assert.Contains(second, error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void Empty_and_non_utf8_files_and_unknown_directives_are_rejected_together()
    {
        folder.Write("V1__empty.sql", "  \n\n");
        File.WriteAllBytes(folder.Combine("V2__latin1.sql"), [0x73, 0x65, 0x6C, 0xE9, 0xFF, 0x3B]);
        folder.Write("V3__directive.sql", "-- tm:isolation=serializable\nselect 1;");

        var error = Assert.Throws<MigrationSetException>(() => MigrationSet.Load(folder.Path));

        Assert.Equal(3, error.Problems.Count);
        Assert.Contains("V1__empty.sql: empty migration: the file is empty", error.Message);
        Assert.Contains("V2__latin1.sql: the file is not valid UTF-8", error.Message);
        Assert.Contains("unknown directive 'tm:isolation'", error.Message);
    }

    [Fact]
    public void A_missing_folder_is_named()
    {
        var missing = folder.Combine("nope");
        var error = Assert.Throws<MigrationSetException>(() => MigrationSet.Load(missing));
        Assert.Contains(missing, error.Message);
    }

    [Fact]
    public void Checksum_ignores_line_endings_and_bom_but_not_content()
    {
        var unix = MigrationSet.ChecksumOf("create table a (id int);\nselect 1;\n");
        Assert.Equal(unix, MigrationSet.ChecksumOf("\uFEFFcreate table a (id int);\r\nselect 1;\r\n"));
        Assert.NotEqual(unix, MigrationSet.ChecksumOf("create table a (id bigint);\nselect 1;\n"));
        Assert.Equal(64, unix.Length);
    }

    [Fact]
    public void Transaction_directive_is_read_from_leading_comments_and_refused_after_the_first_statement()
    {
        var path = folder.Write("V1__concurrently.sql", "/* header\n   block */\n-- index build\n\n-- tm:transaction=false\ncreate index concurrently x on t (a);\n-- a trailing note\n");
        Assert.False(MigrationSet.ReadScript(path).Directives.Transaction);

        var late = folder.Write("V2__late.sql", "select 1;\n-- tm:transaction=false\n");
        var error = Assert.Throws<MigrationSetException>(() => MigrationSet.ReadScript(late));
        Assert.Equal(late, error.FilePath);
        Assert.Contains("line 2: the directive '-- tm:transaction=false' comes after the first statement", error.Problem);

        var afterBlock = folder.Write("V3__after_block.sql", "/* c */ select 1;\n-- TM:transaction=false\n");
        Assert.Contains("comes after the first statement", Assert.Throws<MigrationSetException>(() => MigrationSet.ReadScript(afterBlock)).Problem);
    }

    [Fact]
    public void Settings_file_sets_journal_table_and_placeholders_and_rejects_unsafe_names()
    {
        folder.Write("V1__a.sql", "select '${region}';");
        folder.Write(MigrationSettings.FileName, """{ "journalTable": "schema_history", "placeholders": { "region": "eu" } }""");
        var set = MigrationSet.Load(folder.Path);
        Assert.Equal("schema_history", set.Settings.JournalTable);
        Assert.Equal("eu", set.Settings.Placeholders["region"]);

        folder.Write(MigrationSettings.FileName, """{ "journalTable": "x\"; drop table y; --" }""");
        var error = Assert.Throws<MigrationSetException>(() => MigrationSet.Load(folder.Path));
        Assert.Contains(MigrationSettings.FileName, error.Message);

        folder.Write(MigrationSettings.FileName, """{ "journalTabel": "typo" }""");
        Assert.Throws<MigrationSetException>(() => MigrationSet.Load(folder.Path));
    }

    [Fact]
    public void Versions_compare_numerically_part_by_part()
    {
        Assert.True(MigrationVersion.Parse("1.10") > MigrationVersion.Parse("1.9"));
        Assert.Equal(MigrationVersion.Parse("1.0"), MigrationVersion.Parse("1"));
        Assert.True(MigrationVersion.Parse("20261121093000") > MigrationVersion.Parse("999"));
        Assert.False(MigrationVersion.TryParse("1.a", out _));
    }

    [Fact]
    public void Splitter_keeps_quotes_comments_and_dollar_bodies_whole()
    {
        var script = """
            create table a (note text default 'semi;colon');
            -- a comment; with a semicolon
            create function f() returns int as $body$ begin return 1; end; $body$ language plpgsql;
            /* block; comment */
            insert into a values ('it''s; fine');
            """;
        var statements = SqlStatementSplitter.Postgres.Split(script);
        Assert.Equal(3, statements.Count);
        Assert.Contains("$body$ begin return 1; end; $body$", statements[1]);
        Assert.StartsWith("/* block; comment */", statements[2]);

        var mysql = SqlStatementSplitter.MySql.Split("insert into a values ('x\\';y'); # c;\nselect 1");
        Assert.Equal(["insert into a values ('x\\';y')", "# c;\nselect 1"], mysql);
    }
}

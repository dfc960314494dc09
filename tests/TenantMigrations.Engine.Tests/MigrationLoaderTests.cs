using System.Diagnostics;
using System.Text;
using TenantMigrations.Engine.Journal;
using TenantMigrations.Engine.Migrations;
using TenantMigrations.TestSupport;

namespace TenantMigrations.Engine.Tests;

/// <summary>What the loader refuses, each refusal naming the file (and the line where there is one).</summary>
public sealed class MigrationLoaderTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    private MigrationSetException LoadFails()
    {
        folder.Write("V0__fine.sql", "CREATE TABLE fine (id INTEGER);\n");
        return Assert.Throws<MigrationSetException>(() => MigrationSet.Load(folder.Path));
    }

    private MigrationSetException RefusalOf(string fileName)
    {
        var error = LoadFails();
        var problem = Assert.Single(error.Problems.Count == 0 ? [error] : error.Problems);
        Assert.Equal(folder.Combine(fileName), problem.FilePath);
        Assert.StartsWith(folder.Combine(fileName) + ": ", problem.Message);
        return problem;
    }

    [Theory]
    [InlineData(0x00)]
    [InlineData(0x01)]
    [InlineData(0x0C)]
    [InlineData(0x1B)]
    [InlineData(0x7F)]
    public void Control_bytes_are_refused_naming_the_line(byte control)
    {
        var bytes = Encoding.UTF8.GetBytes("CREATE TABLE a (id INTEGER);\n\nINSERT INTO a VALUES (1);X\n").ToArray();
        bytes[Array.IndexOf(bytes, (byte)'X')] = control;
        File.WriteAllBytes(folder.Combine("V1__control.sql"), bytes);

        var problem = RefusalOf("V1__control.sql");

        Assert.Contains($"line 3 holds the control character U+{control:X4}", problem.Problem);
    }

    [Fact]
    public void Tabs_and_windows_line_endings_are_plain_text()
    {
        folder.Write("V1__crlf.sql", "CREATE TABLE a (\r\n\tid INTEGER\r\n);\r\n");
        Assert.Single(MigrationSet.Load(folder.Path).Versioned);
    }

    [Theory]
    [InlineData("utf-16le-bom")]
    [InlineData("utf-16be-bom")]
    [InlineData("utf-16le")]
    public void Utf16_files_are_refused(string encoding)
    {
        var text = "CREATE TABLE a (id INTEGER);\n";
        var bytes = encoding switch
        {
            "utf-16le-bom" => [0xFF, 0xFE, .. Encoding.Unicode.GetBytes(text)],
            "utf-16be-bom" => [0xFE, 0xFF, .. Encoding.BigEndianUnicode.GetBytes(text)],
            _ => Encoding.Unicode.GetBytes(text),
        };
        File.WriteAllBytes(folder.Combine("V1__wide.sql"), bytes);

        var problem = RefusalOf("V1__wide.sql");

        Assert.Contains("UTF-16", problem.Problem);
        Assert.Contains("save it as UTF-8", problem.Problem);
    }

    [Fact]
    public void Versions_descriptions_and_names_longer_than_the_journal_columns_are_refused()
    {
        var version = "1." + new string('2', JournalColumns.MaxVersionLength - 1);
        folder.Write($"V{version}__long_version.sql", "SELECT 1;");
        var description = new string('d', JournalColumns.MaxDescriptionLength + 1);
        folder.Write($"V2__{description}.sql", "SELECT 1;");
        folder.Write($"V3__{new string('d', JournalColumns.MaxDescriptionLength)}.sql", "SELECT 1;");
        folder.Write($"V{"4." + new string('4', JournalColumns.MaxVersionLength - 2)}__fits.sql", "SELECT 1;");

        var error = LoadFails();

        Assert.Equal(2, error.Problems.Count);
        Assert.Contains(error.Problems, p => p.FilePath.EndsWith($"V{version}__long_version.sql") && p.Problem.Contains($"the version is {JournalColumns.MaxVersionLength + 1} characters long") && p.Problem.Contains("at most 50"));
        Assert.Contains(error.Problems, p => p.FilePath.EndsWith($"V2__{description}.sql") && p.Problem.Contains("the description is 201 characters long") && p.Problem.Contains("at most 200"));
        Assert.Equal(50, JournalColumns.MaxVersionLength);
        Assert.Equal(200, JournalColumns.MaxDescriptionLength);
        Assert.Equal(1000, JournalColumns.MaxScriptNameLength);
    }

    [Fact]
    public async Task A_fifo_is_refused_without_waiting_for_a_writer()
    {
        var fifo = folder.Combine("V1__pipe.sql");
        // mkfifo is part of coreutils; only a system without it (Windows) has no FIFO to test.
        if (!TryMakeFifo(fifo)) return;

        // A loader that opens the FIFO waits for a writer forever: the timeout turns that into a failure.
        var error = await Task.Run(LoadFails).WaitAsync(TimeSpan.FromSeconds(30));
        var problem = Assert.Single(error.Problems.Count == 0 ? [error] : error.Problems);

        Assert.Equal(fifo, problem.FilePath);
        Assert.Contains("FIFO", problem.Problem);
        Assert.Contains("not a regular file", problem.Problem);
    }

    [Fact]
    public void A_symlink_to_a_regular_file_loads_and_one_to_a_device_or_nothing_is_refused()
    {
        if (OperatingSystem.IsWindows()) return;
        var target = folder.Write("elsewhere/shared.txt", "CREATE TABLE shared (id INTEGER);");
        File.CreateSymbolicLink(folder.Combine("V1__linked.sql"), target);
        Assert.Equal("linked", Assert.Single(MigrationSet.Load(folder.Path).Versioned).Description);

        File.CreateSymbolicLink(folder.Combine("V2__device.sql"), "/dev/zero");
        File.CreateSymbolicLink(folder.Combine("V3__dangling.sql"), folder.Combine("missing.sql"));
        var error = LoadFails();

        Assert.Equal(2, error.Problems.Count);
        Assert.Contains(error.Problems, p => p.FilePath.EndsWith("V2__device.sql") && p.Problem.Contains("device"));
        Assert.Contains(error.Problems, p => p.FilePath.EndsWith("V3__dangling.sql") && p.Problem.Contains("does not exist"));
    }

    [Theory]
    [InlineData("-- tm: transaction=false", "-- tm:transaction=false")]
    [InlineData("-- TM:transaction=false", "-- tm:transaction=false")]
    [InlineData("--tm:transaction = false", "-- tm:transaction=false")]
    [InlineData("--tm:transaction=false", "-- tm:transaction=false")]
    [InlineData("-- tm:Transaction=false", "-- tm:transaction=false")]
    [InlineData("--  tm:transaction=false", "-- tm:transaction=false")]
    [InlineData("-- tm transaction=false", "-- tm:transaction=false")]
    [InlineData("-- tm:ddl-lock-timeout = 3", "-- tm:ddl-lock-timeout=3")]
    public void Directive_near_misses_are_refused_showing_the_canonical_form(string nearMiss, string canonical)
    {
        folder.Write("V1__near.sql", $"-- index build\n{nearMiss}\nCREATE TABLE a (id INTEGER);\n");

        var problem = RefusalOf("V1__near.sql");

        Assert.Contains("line 2", problem.Problem);
        Assert.Contains($"'{canonical}'", problem.Problem);
        Assert.Contains("-- tm:<key>=<value>", problem.Problem);
    }

    [Fact]
    public void Comments_that_merely_mention_tm_are_not_directives()
    {
        folder.Write("V1__prose.sql", "-- tmp tables: none\n-- see tm docs; add \"-- tm:transaction=false\" when needed\nCREATE TABLE a (id INTEGER);\n");
        Assert.True(Assert.Single(MigrationSet.Load(folder.Path).Versioned).Files[0].Directives.Transaction);
    }

    [Theory]
    [InlineData("5", 5.0)]
    [InlineData("2.5", 2.5)]
    [InlineData("0.25", 0.25)]
    public void Ddl_lock_timeout_directive_sets_the_files_timeout(string value, double seconds)
    {
        var path = folder.Write("V1__ddl.sql", $"-- tm:ddl-lock-timeout={value}\n-- tm:transaction=false\nCREATE TABLE a (id INTEGER);\n");
        var directives = MigrationSet.ReadScript(path).Directives;
        Assert.Equal(TimeSpan.FromSeconds(seconds), directives.DdlLockTimeout);
        Assert.False(directives.Transaction);
        Assert.Null(MigrationSet.ReadScript(folder.Write("V2__plain.sql", "SELECT 1;")).Directives.DdlLockTimeout);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("abc")]
    [InlineData("5s")]
    [InlineData("1e3")]
    [InlineData("100000")]
    public void Bad_ddl_lock_timeouts_are_refused(string value)
    {
        folder.Write("V1__ddl.sql", $"-- tm:ddl-lock-timeout={value}\nCREATE TABLE a (id INTEGER);\n");

        var problem = RefusalOf("V1__ddl.sql");

        Assert.Contains($"line 1: tm:ddl-lock-timeout must be a number of seconds above 0", problem.Problem);
        Assert.Contains($"not '{value}'", problem.Problem);
    }

    [Fact]
    public void Unknown_directives_list_the_known_ones()
    {
        folder.Write("V1__unknown.sql", "-- tm:isolation=serializable\nSELECT 1;");

        var problem = RefusalOf("V1__unknown.sql");

        Assert.Contains("line 1: unknown directive 'tm:isolation'", problem.Problem);
        Assert.Contains("tm:transaction=true|false", problem.Problem);
        Assert.Contains("tm:ddl-lock-timeout=<seconds>", problem.Problem);
    }

    [Fact]
    public void Upper_case_extensions_are_migrations()
    {
        folder.Write("V9__shout.SQL", "SELECT 9;");
        folder.Write("V10__mixed.Postgres.Sql", "SELECT 10;");

        var set = MigrationSet.Load(folder.Path);

        Assert.Equal(["9", "10"], set.Versioned.Select(m => m.Key));
        Assert.Equal(DatabaseEngine.Postgres, set.Versioned[1].Files[0].Engine);
    }

    [Theory]
    [InlineData("v9__x.sql", "V9__x.sql")]
    [InlineData("u9__x.sql", "U9__x.sql")]
    [InlineData("r__x.sql", "R__x.sql")]
    public void Lower_case_prefixes_are_refused_with_the_right_name(string fileName, string rightName)
    {
        folder.Write(fileName, "SELECT 1;");

        var problem = RefusalOf(fileName);

        Assert.Contains("the prefix must be an upper-case V, U or R", problem.Problem);
        Assert.Contains($"name it {rightName}", problem.Problem);
        Assert.DoesNotContain("repeatable", problem.Problem);
    }

    [Fact]
    public void Sql_files_with_names_that_do_not_parse_are_never_skipped()
    {
        folder.Write("notes.SQL", "SELECT 1;");

        var problem = RefusalOf("notes.SQL");

        Assert.Contains("the file name must look like V<version>__<description>.sql", problem.Problem);
    }

    [Fact]
    public void A_zero_byte_file_is_an_empty_migration_not_a_special_file()
    {
        File.WriteAllBytes(folder.Combine("V1__nothing.sql"), []);

        var problem = RefusalOf("V1__nothing.sql");

        Assert.Equal("empty migration: the file is empty.", problem.Problem);
    }

    [Theory]
    [InlineData("V1__comments.sql", "-- only a comment\n/* and a block; with a semicolon */\n\n")]
    [InlineData("V1__comments.postgres.sql", "/* outer /* nested */ still comment; */\n-- done\n")]
    [InlineData("V1__comments.mysql.sql", "# hash comment\nDELIMITER //\n-- nothing here\nDELIMITER ;\n")]
    [InlineData("V1__comments.sql", "DELIMITER //\nDELIMITER ;\n")]
    [InlineData("V1__comments.sqlite.sql", "-- a\n;\n;\n-- b\n")]
    public void Files_holding_only_comments_are_empty_migrations(string fileName, string content)
    {
        folder.Write(fileName, content);

        var problem = RefusalOf(fileName);

        Assert.Contains("empty migration: the file holds only comments", problem.Problem);
    }

    [Theory]
    [InlineData("V1__tx.sql", "BEGIN;\nCREATE TABLE a (id INTEGER);\nCOMMIT;\n", 1, "BEGIN")]
    [InlineData("V1__tx.sql", "-- psql style\nCREATE TABLE a (id INTEGER);\n/* done */ COMMIT;\n", 3, "COMMIT")]
    [InlineData("V1__tx.postgres.sql", "CREATE TABLE a (id int);\nSTART TRANSACTION ISOLATION LEVEL SERIALIZABLE;\n", 2, "START TRANSACTION")]
    [InlineData("V1__tx.postgres.sql", "CREATE TABLE a (id int);\nend transaction;\n", 2, "END TRANSACTION")]
    [InlineData("V1__tx.postgres.sql", "CREATE TABLE a (id int);\n\n\nABORT;\n", 4, "ABORT")]
    [InlineData("V1__tx.postgres.sql", "CREATE TABLE a (id int);\nRollback Work;\n", 2, "ROLLBACK WORK")]
    [InlineData("V1__tx.postgres.sql", "PREPARE TRANSACTION 'x';\n", 1, "PREPARE TRANSACTION")]
    [InlineData("V1__tx.sqlite.sql", "BEGIN IMMEDIATE;\nCREATE TABLE a (id INTEGER);\nEND;\n", 1, "BEGIN")]
    [InlineData("V1__tx.sqlite.sql", "CREATE TABLE a (id INTEGER);\nCOMMIT TRANSACTION;\n", 2, "COMMIT TRANSACTION")]
    [InlineData("V1__tx.sqlite.sql", "CREATE TABLE a (id INTEGER);\nROLLBACK;\n", 2, "ROLLBACK")]
    [InlineData("U1__tx.sql", "begin work;\nDROP TABLE a;\ncommit work;\n", 1, "BEGIN WORK")]
    public void Top_level_transaction_control_is_refused_naming_the_line(string fileName, string content, int line, string statement)
    {
        if (fileName.StartsWith('U')) folder.Write("V1__tx.sql", "CREATE TABLE a (id INTEGER);");
        folder.Write(fileName, content);

        var problem = RefusalOf(fileName);

        Assert.Contains($"line {line}: {statement} is transaction control", problem.Problem);
        Assert.Contains("'-- tm:transaction=false'", problem.Problem);
        Assert.Contains("remove the statement", problem.Problem);
    }

    [Theory]
    [InlineData("V1__ok.sql", "-- tm:transaction=false\nBEGIN;\nCREATE TABLE a (id INTEGER);\nCOMMIT;\n")]
    [InlineData("V1__ok.mysql.sql", "START TRANSACTION;\nCREATE TABLE a (id INT);\nCOMMIT;\n")]
    [InlineData("V1__ok.postgres.sql", "CREATE TABLE a (id int);\nSAVEPOINT s;\nINSERT INTO a VALUES (1);\nROLLBACK TO SAVEPOINT s;\nRELEASE SAVEPOINT s;\nrollback transaction to s;\n")]
    [InlineData("V1__ok.postgres.sql", "DO $$ BEGIN CREATE TABLE a (id int); END $$;\nCREATE PROCEDURE p() LANGUAGE plpgsql AS $body$ BEGIN COMMIT; END $body$;\n")]
    [InlineData("V1__ok.sql", "DO $$\nBEGIN\n  CREATE TABLE a (id int);\nEND\n$$;\n")]
    [InlineData("V1__ok.postgres.sql", "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;\n")]
    [InlineData("V1__ok.sql", "CREATE TABLE a (id INTEGER, note TEXT);\nINSERT INTO a VALUES (1, 'BEGIN;\nCOMMIT;');\n-- COMMIT;\n/* ROLLBACK; */\n")]
    [InlineData("V1__ok.sqlite.sql", "CREATE TABLE a (id INTEGER);\nCREATE TRIGGER t AFTER INSERT ON a BEGIN\n  UPDATE a SET id = id;\nEND;\n")]
    [InlineData("V1__ok.sql", "CREATE TABLE a (id INTEGER);\nCREATE TRIGGER t AFTER INSERT ON a BEGIN\n  UPDATE a SET id = CASE WHEN id > 0 THEN id END;\nEND;\n")]
    public void Transaction_control_inside_bodies_strings_and_comments_or_without_a_transaction_loads(string fileName, string content)
    {
        folder.Write(fileName, content);
        Assert.Single(MigrationSet.Load(folder.Path).Versioned);
    }

    [Fact]
    public void Every_problem_is_reported_together()
    {
        folder.Write("V1__tx.sql", "BEGIN;\nSELECT 1;\nCOMMIT;");
        folder.Write("V2__empty.sql", "-- later\n");
        folder.Write("V3__near.sql", "-- TM:transaction=false\nSELECT 1;");
        File.WriteAllBytes(folder.Combine("V4__nul.sql"), [.. "SELECT 1;"u8, 0, .. "\n"u8]);

        var error = LoadFails();

        Assert.Equal(4, error.Problems.Count);
        Assert.Equal(["V1__tx.sql", "V2__empty.sql", "V3__near.sql", "V4__nul.sql"], error.Problems.Select(p => Path.GetFileName(p.FilePath)));
    }

    private static bool TryMakeFifo(string path)
    {
        if (OperatingSystem.IsWindows()) return false;
        try
        {
            using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [path]) { RedirectStandardError = true })!;
            mkfifo.WaitForExit();
            return mkfifo.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}

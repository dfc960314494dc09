using TenantMigrations.Engine.Dialects;

namespace TenantMigrations.Engine.Tests;

/// <summary>The splitter's rules one at a time; the corpus tests check them against the engines' own clients.</summary>
public sealed class SplitterTests
{
    [Fact]
    public void Sqlite_trigger_bodies_stay_one_statement_and_case_end_does_not_close_them()
    {
        var statements = SqlStatementSplitter.Sqlite.Split("""
            CREATE TABLE a (id INTEGER, n INTEGER);
            CREATE TEMP TRIGGER t AFTER INSERT ON a
            WHEN CASE WHEN NEW.n > 0 THEN 1 END
            BEGIN
                UPDATE a SET n = CASE WHEN n > 1 THEN (CASE n WHEN 2 THEN 2 END) ELSE 0 END;
                INSERT INTO a VALUES (1, 'END;');
            END;
            SELECT 1;
            """);

        Assert.Equal(3, statements.Count);
        Assert.StartsWith("CREATE TEMP TRIGGER t", statements[1]);
        Assert.EndsWith("INSERT INTO a VALUES (1, 'END;');\nEND", statements[1]);
        Assert.Equal("SELECT 1", statements[2]);
    }

    [Fact]
    public void Begin_outside_a_trigger_is_not_a_block()
    {
        Assert.Equal(["BEGIN", "CREATE TABLE a (id INTEGER)", "END"], SqlStatementSplitter.Sqlite.Split("BEGIN;\nCREATE TABLE a (id INTEGER);\nEND;"));
        Assert.Equal(["BEGIN", "SELECT 1", "COMMIT"], SqlStatementSplitter.Postgres.Split("BEGIN; SELECT 1; COMMIT;"));
    }

    [Fact]
    public void Postgres_escape_strings_read_backslashes_and_plain_strings_do_not()
    {
        var statements = SqlStatementSplitter.Postgres.Split("INSERT INTO t VALUES (E'it\\'s; x', e'\\\\', 'C:\\'); SELECT E'a''b;c';");

        Assert.Equal(["INSERT INTO t VALUES (E'it\\'s; x', e'\\\\', 'C:\\')", "SELECT E'a''b;c'"], statements);
    }

    [Fact]
    public void Postgres_block_comments_nest()
    {
        var statements = SqlStatementSplitter.Postgres.Split("/* a /* b; */ still; comment */ SELECT 1; /* x */ /* y /* z */ ; */");

        Assert.Equal(["/* a /* b; */ still; comment */ SELECT 1"], statements);
        Assert.Equal(["/* a /* b; */ still", "comment */ SELECT 1"], SqlStatementSplitter.Sqlite.Split("/* a /* b; */ still; comment */ SELECT 1;"));
    }

    [Fact]
    public void Postgres_dollar_quotes_nest_by_tag_and_parameters_are_not_tags()
    {
        var statements = SqlStatementSplitter.Postgres.Split("""
            CREATE FUNCTION f() RETURNS text AS $a$ SELECT $b$ ; $a-no $$ ; $b$ || ';' $a$ LANGUAGE sql;
            PREPARE p AS SELECT $1; SELECT a$b$c FROM t;
            """);

        Assert.Equal(3, statements.Count);
        Assert.EndsWith("$a$ LANGUAGE sql", statements[0]);
        Assert.Equal("PREPARE p AS SELECT $1", statements[1]);
        Assert.Equal("SELECT a$b$c FROM t", statements[2]);
    }

    [Fact]
    public void Postgres_begin_atomic_bodies_and_parenthesized_rule_actions_stay_whole()
    {
        var statements = SqlStatementSplitter.Postgres.Split("""
            CREATE OR REPLACE FUNCTION g(s int) RETURNS text LANGUAGE sql
            BEGIN ATOMIC
                SELECT CASE WHEN s > 1 THEN 'a;' ELSE 'b' END;
            END;
            CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO l VALUES (1); INSERT INTO l VALUES (2));
            """);

        Assert.Equal(2, statements.Count);
        Assert.EndsWith("END", statements[0]);
        Assert.EndsWith("INSERT INTO l VALUES (2))", statements[1]);
    }

    [Fact]
    public void Mysql_delimiter_lines_change_the_delimiter_and_are_not_statements()
    {
        var statements = SqlStatementSplitter.MySql.Split("""
            CREATE TABLE a (id INT);
            DELIMITER //
            CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END //
            CREATE FUNCTION f() RETURNS INT RETURN 1//
              delimiter $$
            CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW BEGIN SET NEW.id = 1; END$$
            DELIMITER ;
            SELECT 3;
            """);

        Assert.Equal(
            ["CREATE TABLE a (id INT)", "CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END", "CREATE FUNCTION f() RETURNS INT RETURN 1", "CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW BEGIN SET NEW.id = 1; END", "SELECT 3"],
            statements);
    }

    [Fact]
    public void Mysql_reads_backslashes_hash_comments_and_dash_comments_only_before_a_space()
    {
        var statements = SqlStatementSplitter.MySql.Split("INSERT INTO a VALUES ('x\\';y', \"q\\\";\"); # c;\nSELECT 5--1;\n-- c;\n/*!40101 SET NAMES utf8mb4 */;\n/* only; a comment */;\nSELECT `a;b` FROM t");

        Assert.Equal(["INSERT INTO a VALUES ('x\\';y', \"q\\\";\")", "# c;\nSELECT 5--1", "-- c;\n/*!40101 SET NAMES utf8mb4 */", "SELECT `a;b` FROM t"], statements);
    }

    [Fact]
    public void Statements_report_the_line_of_their_first_token_and_their_leading_words()
    {
        var statements = SqlStatementSplitter.Postgres.SplitWithPositions("-- header\n\n/* note */ begin /* c */ transaction;\nCOMMIT");

        Assert.Equal(3, statements[0].Line);
        Assert.Equal(["BEGIN", "TRANSACTION"], statements[0].LeadingWords);
        Assert.Equal(4, statements[1].Line);
        Assert.Equal(["COMMIT"], statements[1].LeadingWords);
    }

    [Fact]
    public void Comment_only_statements_are_dropped()
    {
        Assert.Empty(SqlStatementSplitter.Postgres.Split("-- a;\n/* b; */ ; ;\n"));
        Assert.Empty(SqlStatementSplitter.MySql.Split("# a\nDELIMITER //\n-- b\n//\nDELIMITER ;\n"));
    }
}

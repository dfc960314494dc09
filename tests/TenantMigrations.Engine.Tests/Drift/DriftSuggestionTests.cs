using TenantMigrations.Engine.Dialects.MySql;
using TenantMigrations.Engine.Dialects.Postgres;
using TenantMigrations.Engine.Dialects.Sqlite;
using TenantMigrations.Engine.Schema;
using TenantMigrations.Engine.Schema.Drift;

namespace TenantMigrations.Engine.Tests.Drift;

/// <summary>What each dialect suggests for a drift, and what it leaves to a human.</summary>
public sealed class DriftSuggestionTests
{
    private static readonly ColumnShape Phone32 = new("phone", "varchar(32)", true, null);
    private static readonly ColumnShape Phone20 = new("phone", "varchar(20)", true, null);

    private static SchemaDrift Changed(ColumnShape expected, ColumnShape actual) => new(SchemaDifferenceKind.Changed, SchemaObjectType.Column, "users", expected.Name, expected, actual);

    [Fact]
    public void A_changed_column_type_is_altered_where_the_engine_can_and_left_to_a_rebuild_on_SQLite()
    {
        var drift = Changed(Phone32, Phone20);

        Assert.Equal(["ALTER TABLE \"users\" ALTER COLUMN \"phone\" TYPE varchar(32)"], new PostgresDialect().SuggestFix(drift).Statements);
        Assert.Equal(["ALTER TABLE `users` MODIFY COLUMN `phone` varchar(32) NULL"], new MySqlDialect().SuggestFix(drift).Statements);
        var sqlite = new SqliteDialect().SuggestFix(drift);
        Assert.Empty(sqlite.Statements);
        Assert.Contains("rebuild the table", sqlite.Note);
        Assert.Equal("column users.phone is varchar(20), expected varchar(32)", drift.Description);
    }

    [Fact]
    public void An_extra_index_is_dropped_as_each_engine_spells_it()
    {
        var index = new IndexShape("ix_tmp", ["note"], false);
        var constraint = new IndexShape("users_phone_key", ["phone"], true, Constraint: true);
        SchemaDrift Extra(IndexShape shape) => new(SchemaDifferenceKind.Extra, shape.Constraint ? SchemaObjectType.UniqueConstraint : SchemaObjectType.Index, "orders", shape.Name, null, shape);

        Assert.Equal(["DROP INDEX \"ix_tmp\""], new PostgresDialect().SuggestFix(Extra(index)).Statements);
        Assert.Equal(["ALTER TABLE \"orders\" DROP CONSTRAINT \"users_phone_key\""], new PostgresDialect().SuggestFix(Extra(constraint)).Statements);
        Assert.Equal(["DROP INDEX `ix_tmp` ON `orders`"], new MySqlDialect().SuggestFix(Extra(index)).Statements);
        Assert.Equal("extra index ix_tmp on orders", Extra(index).Description);
    }

    [Fact]
    public void Catalog_text_that_is_not_a_plain_type_default_or_name_is_never_pasted_into_SQL()
    {
        var injected = new ColumnShape("note", "text", true, "'x'); DROP TABLE users; --");
        var missing = new SchemaDrift(SchemaDifferenceKind.Missing, SchemaObjectType.Column, "orders", "note", injected, null);
        var badName = new SchemaDrift(SchemaDifferenceKind.Extra, SchemaObjectType.Index, "orders", "ix\"; DROP TABLE x; --", null, new IndexShape("ix\"; DROP TABLE x; --", ["a"], false));

        var fix = new PostgresDialect().SuggestFix(missing);
        Assert.Empty(fix.Statements);
        Assert.Contains("not a plain literal", fix.Note);
        Assert.Empty(new MySqlDialect().SuggestFix(badName).Statements);
    }

    [Fact]
    public void A_script_is_marked_as_a_suggestion_and_comments_out_what_loses_data()
    {
        var drifts = new[]
        {
            new SchemaDrift(SchemaDifferenceKind.Extra, SchemaObjectType.Table, "tmp_import", "tmp_import", null, new TableShape("tmp_import", [], [], [], [])),
            new SchemaDrift(SchemaDifferenceKind.Changed, SchemaObjectType.View, "v", "v", new ViewShape("v", "SELECT 1\n; DROP TABLE users"), new ViewShape("v", "SELECT 2")),
        };

        var script = DriftSuggestionScripts.Render(new PostgresDialect(), 1, 1, "tenant 'acme' at version 7", ["globex"], drifts, new DateTime(2026, 11, 22, 4, 0, 0, DateTimeKind.Utc));

        var lines = script.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("-- SUGGESTION, review before running.", lines[0]);
        Assert.Contains("-- DROP TABLE \"tmp_import\";", lines);
        Assert.All(lines, l => Assert.StartsWith("--", l));
    }
}

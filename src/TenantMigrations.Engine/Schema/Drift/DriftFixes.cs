using System.Text.RegularExpressions;
using TenantMigrations.Engine.Dialects;

namespace TenantMigrations.Engine.Schema.Drift;

/// <summary>
/// Suggested SQL per drift, in standard SQL; each dialect overrides what its engine spells differently. Names go
/// through the dialect's quoting; a type or default from the catalog is written only when it is plainly a type or a
/// literal, otherwise the fix is left to a human (the catalog's text is never pasted into SQL as it is).
/// </summary>
public abstract partial class DriftFixes(IDatabaseDialect dialect)
{
    protected const string RebuildNote = "the engine cannot change this in place: rebuild the table in a migration.";

    public SuggestedFix Suggest(SchemaDrift drift)
    {
        try
        {
            return (drift.ObjectType, drift.Kind, drift.Expected, drift.Actual) switch
            {
                (SchemaObjectType.Table, SchemaDifferenceKind.Missing, _, _) => SuggestedFix.Manual("create it with the migration that should have created it."),
                (SchemaObjectType.Table, SchemaDifferenceKind.Extra, _, _) => new([$"DROP TABLE {Q(drift.Table)}"], "an extra table: drop it only if nothing uses it.", LosesData: true),
                (SchemaObjectType.Column, SchemaDifferenceKind.Missing, ColumnShape column, _) => new([$"ALTER TABLE {Q(drift.Table)} ADD COLUMN {ColumnDefinition(column)}"]),
                (SchemaObjectType.Column, SchemaDifferenceKind.Extra, _, _) => new([$"ALTER TABLE {Q(drift.Table)} DROP COLUMN {Q(drift.ObjectName)}"], LosesData: true),
                (SchemaObjectType.Column, SchemaDifferenceKind.Changed, ColumnShape expected, ColumnShape actual) => ChangeColumn(drift.Table, expected, actual),
                (SchemaObjectType.Index or SchemaObjectType.UniqueConstraint, SchemaDifferenceKind.Missing, IndexShape index, _) => CreateIndex(drift.Table, index),
                (SchemaObjectType.Index or SchemaObjectType.UniqueConstraint, SchemaDifferenceKind.Extra, _, IndexShape index) => DropIndex(drift.Table, index),
                (SchemaObjectType.Index or SchemaObjectType.UniqueConstraint, SchemaDifferenceKind.Changed, IndexShape expected, IndexShape actual) => Both(DropIndex(drift.Table, actual), CreateIndex(drift.Table, expected)),
                (SchemaObjectType.ForeignKey, SchemaDifferenceKind.Missing, ForeignKeyShape key, _) => AddForeignKey(drift.Table, key),
                (SchemaObjectType.ForeignKey, SchemaDifferenceKind.Extra, _, ForeignKeyShape key) => DropForeignKey(drift.Table, key),
                (SchemaObjectType.ForeignKey, SchemaDifferenceKind.Changed, ForeignKeyShape expected, ForeignKeyShape actual) => Both(DropForeignKey(drift.Table, actual), AddForeignKey(drift.Table, expected)),
                (SchemaObjectType.View, SchemaDifferenceKind.Extra, _, _) => new([$"DROP VIEW {Q(drift.ObjectName)}"]),
                (SchemaObjectType.View, _, _, _) => SuggestedFix.Manual("recreate the view with the reference's definition (above) in a migration."),
                _ => SuggestedFix.Manual("change it with a migration."),
            };
        }
        catch (ManualFixException ex)
        {
            return SuggestedFix.Manual(ex.Message);
        }
        catch (InvalidIdentifierException ex)
        {
            return SuggestedFix.Manual(ex.Message);
        }
    }

    protected string Q(string identifier) => dialect.QuoteIdentifier(identifier);

    protected string Columns(IEnumerable<string> columns) => string.Join(", ", columns.Select(Q));

    protected virtual SuggestedFix ChangeColumn(string table, ColumnShape expected, ColumnShape actual)
    {
        var alter = $"ALTER TABLE {Q(table)} ALTER COLUMN {Q(expected.Name)}";
        var statements = new List<string>();
        if (!string.Equals(expected.Type, actual.Type, StringComparison.OrdinalIgnoreCase)) statements.Add($"{alter} TYPE {Type(expected.Type)}");
        if (expected.Nullable != actual.Nullable) statements.Add(expected.Nullable ? $"{alter} DROP NOT NULL" : $"{alter} SET NOT NULL");
        if (expected.Default != actual.Default) statements.Add(expected.Default is null ? $"{alter} DROP DEFAULT" : $"{alter} SET DEFAULT {Default(expected.Default)}");
        return new(statements);
    }

    protected virtual SuggestedFix CreateIndex(string table, IndexShape index) =>
        new([$"CREATE {(index.Unique ? "UNIQUE " : "")}INDEX {Q(index.Name)} ON {Q(table)} ({Columns(index.Columns)})"]);

    protected virtual SuggestedFix DropIndex(string table, IndexShape index) => new([$"DROP INDEX {Q(index.Name)}"]);

    protected virtual SuggestedFix AddForeignKey(string table, ForeignKeyShape key) =>
        new([$"ALTER TABLE {Q(table)} ADD CONSTRAINT {Q(key.Name)} FOREIGN KEY ({Columns(key.Columns)}) REFERENCES {Q(key.ReferencedTable)} ({Columns(key.ReferencedColumns)}) ON DELETE {OnDelete(key.OnDelete)}"]);

    protected virtual SuggestedFix DropForeignKey(string table, ForeignKeyShape key) => new([$"ALTER TABLE {Q(table)} DROP CONSTRAINT {Q(key.Name)}"]);

    protected string ColumnDefinition(ColumnShape column) =>
        $"{Q(column.Name)} {Type(column.Type)}{(column.Nullable ? " NULL" : " NOT NULL")}{(column.Default is null ? "" : $" DEFAULT {Default(column.Default)}")}";

    /// <summary>A catalog type such as "character varying(32)", "numeric(10,2)" or "int(11) unsigned"; anything else is left to a human.</summary>
    protected static string Type(string type) =>
        PlainType().IsMatch(type) ? type : throw new ManualFixException($"the type '{OneLine(type)}' is not a plain type: write the change by hand.");

    /// <summary>A catalog default that is a plain literal or the current time; anything else is left to a human.</summary>
    protected static string Default(string value) =>
        PlainDefault().IsMatch(value) ? value : throw new ManualFixException($"the default '{OneLine(value)}' is not a plain literal: write the change by hand.");

    private static string OnDelete(string rule) =>
        rule.ToLowerInvariant() switch
        {
            "cascade" => "CASCADE",
            "restrict" => "RESTRICT",
            "set null" => "SET NULL",
            "set default" => "SET DEFAULT",
            _ => "NO ACTION",
        };

    private static SuggestedFix Both(SuggestedFix first, SuggestedFix second) =>
        first.Statements.Count == 0 ? first : second.Statements.Count == 0 ? second : new([.. first.Statements, .. second.Statements], first.Note ?? second.Note, first.LosesData || second.LosesData);

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");

    [GeneratedRegex(@"^[a-z][a-z0-9_ ]*(\(\s*\d+(\s*,\s*\d+)?\s*\))?( [a-z ]+)?(\[\])*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PlainType();

    [GeneratedRegex(@"^(-?\d+(\.\d+)?|'(?:[^'\\\r\n]|'')*'(::[a-z][a-z ]*(\(\d+(,\d+)?\))?)?|true|false|null|current_timestamp(\(\d?\))?|now\(\))$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PlainDefault();

    protected sealed class ManualFixException(string message) : Exception(message);
}

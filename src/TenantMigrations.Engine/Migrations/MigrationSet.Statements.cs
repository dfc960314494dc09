using System.Collections.Concurrent;
using TenantMigrations.Engine.Dialects;

namespace TenantMigrations.Engine.Migrations;

public sealed partial class MigrationSet
{
    private readonly ConcurrentDictionary<(MigrationScript Script, DatabaseEngine Engine), IReadOnlyList<string>> statements = new();

    /// <summary>A file's statements as the dialect splits them, placeholders not yet substituted; split once per run and engine.</summary>
    public IReadOnlyList<string> StatementsOf(MigrationScript script, IDatabaseDialect dialect) =>
        statements.GetOrAdd((script, dialect.Engine), key => dialect.SplitStatements(key.Script.Content));
}

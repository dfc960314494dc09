namespace TenantMigrations.Engine.Schema.Typed;

/// <summary>A typed migration file: its operations, and whether it runs in the migration's transaction (where the engine has transactional DDL).</summary>
public sealed record TypedMigration(IReadOnlyList<SchemaOperation> Operations, bool Transaction = true);

namespace TenantMigrations.Engine.Migrations;

public sealed partial class MigrationSet
{
    /// <summary>
    /// A set built in memory rather than loaded from files (a tenant's recorded history). <paramref name="origin"/>
    /// stands where a folder would, in messages. Versioned migrations must come lowest first; repeatables run in the
    /// order given.
    /// </summary>
    public static MigrationSet InMemory(string origin, MigrationSettings settings, IReadOnlyList<Migration> versioned, IReadOnlyList<Migration> repeatable) =>
        new(origin, settings, versioned, [], repeatable, []);
}

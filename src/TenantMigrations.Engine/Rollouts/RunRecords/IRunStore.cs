namespace TenantMigrations.Engine.Rollouts.RunRecords;

/// <summary>Where run records live: a local folder (<see cref="RunStore"/>) or tables of a shared catalog database.</summary>
public interface IRunStore
{
    /// <summary>Where the store is, for messages: a folder, or an engine, host and database (never a password).</summary>
    string Location { get; }

    Task<bool> ContainsAsync(string runId, CancellationToken cancellationToken);

    /// <summary>Every run of the store, oldest first; a record that cannot be read is passed to <paramref name="warn"/> and left out.</summary>
    Task<IReadOnlyList<TenantMigrationRun>> ListAsync(Action<string> warn, CancellationToken cancellationToken);

    /// <summary>One run; an unknown id is a <see cref="RunNotFoundException"/>.</summary>
    Task<TenantMigrationRun> ReadAsync(string runId, CancellationToken cancellationToken);
}

using TenantMigrations.Engine.Journal;

namespace TenantMigrations.Engine.Dialects;

/// <summary>A tenant session set up for migrating: its lock (null when another runner holds it) and the journal read under it.</summary>
public sealed record LockedSession(IAsyncDisposable? Lock, JournalSnapshot Snapshot);

using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using TenantMigrations.Engine.Execution;
using TenantMigrations.Engine.Migrations;

namespace TenantMigrations.Engine.Rollouts.RunRecords;

/// <summary>
/// One run (or one resume) being recorded: each finished tenant becomes a line as it finishes, written by the worker
/// that finished it, and <see cref="Close"/> writes the summary. Without a writer (a dry run) it only skips.
/// </summary>
public sealed class RunRecording : IDisposable
{
    private readonly RunRecordWriter? writer;
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private int succeeded;
    private int failed;
    private int migrationsApplied;

    internal RunRecording(string runId, IReadOnlyList<Tenant> tenantsToRun, IReadOnlyList<Tenant> alreadyDone, IReadOnlyList<string> warnings, RunRecordWriter? writer)
    {
        RunId = runId;
        TenantsToRun = tenantsToRun;
        AlreadyDone = alreadyDone;
        Warnings = warnings;
        this.writer = writer;
    }

    public string RunId { get; }

    /// <summary>The tenants to run now: all of them, or on a resume those the run has not done yet.</summary>
    public IReadOnlyList<Tenant> TenantsToRun { get; }

    /// <summary>The tenants a resume skips, because an earlier part of the run did them.</summary>
    public IReadOnlyList<Tenant> AlreadyDone { get; }

    /// <summary>What the host should warn about, such as migrations that changed since the run started.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>A sink that records every finished tenant, or those <paramref name="isFinal"/> accepts, before passing the event on.</summary>
    public IFleetSink Wrap(IFleetSink inner, Func<TenantMigrationResult, bool>? isFinal = null) =>
        writer is null ? inner : new RunRecordSink(this, inner, isFinal ?? (_ => true));

    public void Record(TenantMigrationResult result)
    {
        if (writer is null) return;
        var outcome = OutcomeOf(result);
        if (outcome == TenantRunResult.Succeeded) Interlocked.Increment(ref succeeded);
        else Interlocked.Increment(ref failed);
        Interlocked.Add(ref migrationsApplied, result.Applied.Length);
        writer.Write(LineOf(result, outcome));
    }

    /// <summary>A finished tenant as the record keeps it; its error is redacted of the tenant's secrets.</summary>
    internal static RunTenantLine LineOf(TenantMigrationResult result, TenantRunResult outcome) => new()
    {
        Tenant = result.TenantName,
        Engine = result.Engine,
        Outcome = outcome,
        StateAfter = result.StateAfter,
        VersionBefore = result.VersionBefore,
        VersionAfter = result.VersionAfter,
        Applied = result.Applied.Select(m => m.Version ?? m.Description).ToArray(),
        ErrorId = result.Error?.ErrorId,
        Error = result.Error is null ? null : Redaction.Text(result.Error.Message, result.Tenant),
        DurationMs = (long)result.Duration.TotalMilliseconds,
        FinishedAt = DateTimeOffset.UtcNow,
        Wave = result.Wave,
    };

    /// <summary>Writes the summary line that closes this part of the run.</summary>
    public void Close(bool cancelled)
    {
        if (writer is null) return;
        var finished = Volatile.Read(ref succeeded) + Volatile.Read(ref failed);
        writer.Write(new RunSummaryLine
        {
            FinishedAt = DateTimeOffset.UtcNow,
            DurationMs = (long)clock.Elapsed.TotalMilliseconds,
            Total = TenantsToRun.Count,
            Succeeded = Volatile.Read(ref succeeded),
            Failed = Volatile.Read(ref failed),
            NotStarted = Math.Max(0, TenantsToRun.Count - finished),
            MigrationsApplied = Volatile.Read(ref migrationsApplied),
            Cancelled = cancelled,
        });
    }

    public void Dispose() => writer?.Dispose();

    public static TenantRunResult OutcomeOf(TenantMigrationResult result)
    {
        if (result.Succeeded) return TenantRunResult.Succeeded;
        if (result.StateAfter == TenantState.Locked) return TenantRunResult.Locked;
        if (result.StateAfter == TenantState.Unreachable) return TenantRunResult.Unreachable;
        return result.Error?.ErrorId is ErrorIds.MigrationFailed or ErrorIds.Cancelled or ErrorIds.TenantFailed or ErrorIds.LockTimeout
            ? TenantRunResult.Failed
            : TenantRunResult.Blocked;
    }

    /// <summary>One hash over every script's file name and checksum, so that a resume can tell the folder changed.</summary>
    public static string ChecksumOf(MigrationSet set)
    {
        var lines = set.Versioned.Concat(set.Undo).Concat(set.Repeatable)
            .SelectMany(m => m.Files)
            .Select(f => f.FileName + " " + f.Checksum)
            .Order(StringComparer.Ordinal);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", lines)))).ToLowerInvariant();
    }

    private sealed class RunRecordSink(RunRecording recording, IFleetSink inner, Func<TenantMigrationResult, bool> isFinal) : IFleetSink
    {
        public void Post(FleetEvent fleetEvent)
        {
            if (fleetEvent is TenantFinished finished && isFinal(finished.Result)) recording.Record(finished.Result);
            inner.Post(fleetEvent);
        }
    }
}

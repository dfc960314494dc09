using TenantMigrations.Engine.Commands;
using TenantMigrations.Engine.Execution;

namespace TenantMigrations.Engine.Tests;

/// <summary>The hand-over of events from the workers to the pipeline thread.</summary>
public sealed class FleetEventPumpTests
{
    private static FleetLog Log(string message) => new(FleetLogLevel.Verbose, message);

    [Fact]
    public void Every_event_of_parallel_workers_reaches_the_consumer_once_and_in_each_workers_order()
    {
        const int Workers = 8, EventsEach = 5_000;
        using var pump = new FleetEventPump<int>(async (sink, _) =>
        {
            await Task.WhenAll(Enumerable.Range(0, Workers).Select(worker => Task.Run(() =>
            {
                for (var i = 0; i < EventsEach; i++)
                {
                    sink.Post(Log($"{worker}:{i}"));
                    if (i % 500 == 0) Thread.Sleep(1);
                }
            })));
            return 42;
        }, CancellationToken.None);

        var consumedOn = Environment.CurrentManagedThreadId;
        var next = new int[Workers];
        var count = 0;
        foreach (var fleetEvent in pump.ConsumeEvents())
        {
            Assert.Equal(consumedOn, Environment.CurrentManagedThreadId);
            var parts = ((FleetLog)fleetEvent).Message.Split(':');
            var worker = int.Parse(parts[0]);
            Assert.Equal(next[worker]++, int.Parse(parts[1]));
            count++;
        }

        Assert.Equal(Workers * EventsEach, count);
        Assert.All(next, n => Assert.Equal(EventsEach, n));
        Assert.Equal(42, pump.Result);
    }

    [Fact]
    public void An_event_posted_after_the_work_ended_is_dropped_and_the_consumer_still_ends()
    {
        IFleetSink? kept = null;
        using var pump = new FleetEventPump<int>((sink, _) =>
        {
            kept = sink;
            sink.Post(Log("during"));
            return Task.FromResult(1);
        }, CancellationToken.None);

        var messages = pump.ConsumeEvents().Select(e => ((FleetLog)e).Message).ToList();
        kept!.Post(Log("late"));

        Assert.Equal(["during"], messages);
        Assert.Empty(pump.ConsumeEvents());
    }

    [Fact]
    public void The_consumer_waits_for_slow_work_and_then_gets_its_failure_from_Result()
    {
        using var pump = new FleetEventPump<int>(async (sink, token) =>
        {
            sink.Post(Log("first"));
            await Task.Delay(300, token);
            sink.Post(Log("second"));
            throw new InvalidOperationException("tenant t1 broke");
        }, CancellationToken.None);

        var messages = pump.ConsumeEvents().Select(e => ((FleetLog)e).Message).ToList();

        Assert.Equal(["first", "second"], messages);
        var error = Assert.Throws<InvalidOperationException>(() => pump.Result);
        Assert.Equal("tenant t1 broke", error.Message);
    }
}

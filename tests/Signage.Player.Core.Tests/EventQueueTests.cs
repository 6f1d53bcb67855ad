using System.Net;
using System.Text.Json;
using Signage.Contracts;
using Signage.Player.Core.Storage;
using Signage.Player.Core.Telemetry;

namespace Signage.Player.Core.Tests;

public sealed class EventQueueTests
{
    private static EventUploader Uploader(CoreHarness h) => new(h.Api, h.Queue, h.Options, h.Clock, h.NewBackoff(), h.Logger);

    private static PlayerEvent Record(EventQueue queue) => queue.Record(PlayerProtocol.EventTypes.PlayEnd, "INFO", JsonDocument.Parse("{\"assetId\":\"a\"}").RootElement);

    private static int PlaysQueued(CoreHarness h) => h.Queue.Peek(1000).Count(e => e.EventType == PlayerProtocol.EventTypes.PlayEnd);

    [Fact]
    public void Each_event_gets_a_new_uuid_and_the_next_sequence()
    {
        using var h = new CoreHarness();
        var events = Enumerable.Range(0, 3).Select(_ => Record(h.Queue)).ToList();
        Assert.Equal([1L, 2L, 3L], events.Select(e => e.Sequence));
        Assert.Equal(3, events.Select(e => Guid.Parse(e.EventId)).Distinct().Count());
    }

    /// <summary>Issue 16: a player killed mid-item (kill -9, a power cut) ends that play as INTERRUPTED at its next start,
    /// once; a play that ended normally, or was already ended so, is never ended again.</summary>
    [Fact]
    public void A_play_open_when_the_player_died_is_ended_once_as_interrupted_at_the_next_start()
    {
        using var directory = new TempDirectory();
        var path = Path.Combine(directory.Path, "player.db");
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(TestManifests.Start);
        var database = new PlayerDatabase(path);
        var events = new EventRecorder(new EventQueue(database, clock), new TelemetryCounters());
        events.PlayStart(new PlayStartPayload("pl_1", "a", 0, "2026-03-01T10:00:00.000Z", "e1"));
        events.PlayEnd(new PlayEndPayload("pl_1", "a", 0, "2026-03-01T10:00:00.000Z", 10_000, PlayerProtocol.PlayResults.Completed));
        Assert.Null(events.EndPlayCutByRestart()); // ended normally: nothing open
        events.PlayStart(new PlayStartPayload("pl_1", "b", 1, "2026-03-01T10:00:10.000Z", "e1"));
        database.Dispose(); // killed with b on screen

        using var reopened = new PlayerDatabase(path);
        var restarted = new EventRecorder(new EventQueue(reopened, clock), new TelemetryCounters());
        var ended = restarted.EndPlayCutByRestart();
        Assert.NotNull(ended);
        Assert.Equal(PlayerProtocol.EventTypes.PlayEnd, ended.EventType);
        var payload = ended.Payload!.Value;
        Assert.Equal(("b", "2026-03-01T10:00:10.000Z", 0L, "INTERRUPTED", "PLAYER_RESTARTED"), (payload.GetProperty("assetId").GetString(),
            payload.GetProperty("startedAtUtc").GetString(), payload.GetProperty("durationMs").GetInt64(), payload.GetProperty("result").GetString(),
            payload.GetProperty("reason").GetString()));
        Assert.Null(restarted.EndPlayCutByRestart()); // once
    }

    [Fact]
    public void Queued_events_and_the_sequence_survive_a_crash()
    {
        using var directory = new TempDirectory();
        var path = Path.Combine(directory.Path, "player.db");
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(TestManifests.Start);
        var database = new PlayerDatabase(path);
        var queue = new EventQueue(database, clock);
        var before = Enumerable.Range(0, 5).Select(_ => Record(queue)).ToList();
        queue.Remove([before[0].Sequence, before[1].Sequence]);
        database.Dispose(); // the process dies here: nothing was sent

        using var reopened = new PlayerDatabase(path);
        var again = new EventQueue(reopened, clock);
        Assert.Equal(before.Skip(2).Select(e => e.EventId), again.Peek(100).Select(e => e.EventId));
        Assert.Equal(6, Record(again).Sequence);
    }

    [Fact]
    public void The_sequence_goes_on_after_the_queue_was_emptied_and_reopened()
    {
        using var directory = new TempDirectory();
        var path = Path.Combine(directory.Path, "player.db");
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(TestManifests.Start);
        using (var database = new PlayerDatabase(path))
        {
            var queue = new EventQueue(database, clock);
            var e = Record(queue);
            queue.Remove([e.Sequence]);
        }

        using var reopened = new PlayerDatabase(path);
        Assert.Equal(2, Record(new EventQueue(reopened, clock)).Sequence);
    }

    [Fact]
    public async Task Sends_in_batches_of_at_most_100_and_removes_only_what_was_answered_2xx()
    {
        using var h = new CoreHarness();
        for (var i = 0; i < 250; i++)
        {
            Record(h.Queue);
        }

        await Uploader(h).FlushOnceAsync(CancellationToken.None);

        Assert.Equal(0, h.Queue.Count);
        Assert.Equal(250, h.Appliance.Events.Count);
        Assert.Equal(Enumerable.Range(1, 250).Select(i => (long)i), h.Appliance.Events.Select(e => e.Sequence));
        Assert.Equal(3, h.Appliance.Requests.Count);
    }

    [Fact]
    public async Task Keeps_everything_when_the_appliance_fails_and_backs_off()
    {
        using var h = new CoreHarness();
        Record(h.Queue);
        h.Appliance.Intercept = _ => new HttpResponseMessage(HttpStatusCode.InternalServerError);
        var uploader = Uploader(h);
        var first = await uploader.FlushOnceAsync(CancellationToken.None);
        var second = await uploader.FlushOnceAsync(CancellationToken.None);
        Assert.Equal(1, h.Queue.Count);
        Assert.True(second > first);
    }

    [Fact]
    public async Task Duplicates_and_rejected_events_leave_the_queue_too()
    {
        using var h = new CoreHarness();
        Record(h.Queue);
        Record(h.Queue);
        h.Appliance.Intercept = _ => FakeAppliance.JsonAnswer(new EventBatchResponse(0, 1, 1, [new RejectedEvent(1, null, "bad payload")]),
            ContractsJsonContext.Default.EventBatchResponse);
        await Uploader(h).FlushOnceAsync(CancellationToken.None);
        Assert.Equal(0, h.Queue.Count);
    }

    [Fact]
    public async Task A_422_events_rejected_takes_the_whole_batch_out_in_one_request_and_other_events_still_go()
    {
        using var h = new CoreHarness();
        Record(h.Queue);
        Record(h.Queue);
        var requests = 0;
        h.Appliance.Intercept = _ =>
        {
            if (Interlocked.Increment(ref requests) > 1) return null;
            var problem = new HttpResponseMessage(HttpStatusCode.UnprocessableEntity)
            {
                Content = new StringContent("""
                    {"status":422,"code":"EVENTS_REJECTED","detail":"None of the 2 events was stored","accepted":0,"duplicates":0,"rejected":2,
                     "rejectedEvents":[{"index":0,"eventId":"a","reason":"bad"},{"index":1,"eventId":"b","reason":"bad"}]}
                    """, System.Text.Encoding.UTF8, "application/problem+json"),
            };
            return problem;
        };
        await Uploader(h).FlushOnceAsync(CancellationToken.None);
        Assert.Equal((0, 1), (h.Queue.Count, requests)); // decided by the appliance: not halved, not retried

        Record(h.Queue);
        await Uploader(h).FlushOnceAsync(CancellationToken.None);
        Assert.Equal((0, 2, 1), (h.Queue.Count, requests, h.Appliance.Events.Count));
    }

    [Fact]
    public async Task A_resend_after_a_lost_answer_is_harmless()
    {
        using var h = new CoreHarness();
        Record(h.Queue);
        var lose = true;
        var fake = h.Appliance;
        h.Appliance.Intercept = r =>
        {
            if (!lose)
            {
                return null;
            }

            // The appliance stores the batch, but the answer never reaches the player.
            lose = false;
            fake.Events.Enqueue(h.Queue.Peek(1)[0]);
            throw new HttpRequestException("connection reset");
        };
        var uploader = Uploader(h);
        await uploader.FlushOnceAsync(CancellationToken.None);
        Assert.Equal(1, PlaysQueued(h));
        await uploader.FlushOnceAsync(CancellationToken.None);
        Assert.Equal(0, h.Queue.Count);
        Assert.Single(h.Appliance.Events, e => e.EventType == PlayerProtocol.EventTypes.PlayEnd);
    }

    [Fact]
    public async Task Events_older_than_seven_days_are_dropped_and_counted()
    {
        using var h = new CoreHarness();
        Record(h.Queue);
        h.Clock.Advance(TimeSpan.FromDays(6));
        Record(h.Queue);
        h.Clock.Advance(TimeSpan.FromDays(1.5));
        h.Appliance.Intercept = _ => throw new HttpRequestException("offline");
        await Uploader(h).FlushOnceAsync(CancellationToken.None);
        Assert.Equal(1, PlaysQueued(h));
        Assert.Equal(1, h.Queue.DroppedCount);
    }

    [Fact]
    public async Task A_batch_the_appliance_refuses_is_halved_until_the_one_bad_event_is_found()
    {
        using var h = new CoreHarness();
        var events = Enumerable.Range(0, 8).Select(_ => Record(h.Queue)).ToList();
        var poison = events[5].EventId;
        var fake = h.Appliance;
        h.Appliance.Intercept = r =>
        {
            var body = r.Content!.ReadAsStringAsync().Result;
            return body.Contains(poison, StringComparison.Ordinal) ? new HttpResponseMessage(HttpStatusCode.BadRequest) : null;
        };
        // Halving takes more requests than the spec's 6 uploads a minute: the pacer spreads them over the (fake) minutes.
        var flush = Uploader(h).FlushOnceAsync(CancellationToken.None);
        await h.Clock.UntilAsync(() => flush.IsCompleted, limit: TimeSpan.FromMinutes(10));
        await flush;
        Assert.Equal(0, h.Queue.Count);
        Assert.Equal(7, fake.Events.Count);
        Assert.DoesNotContain(fake.Events, e => e.EventId == poison);
    }
}

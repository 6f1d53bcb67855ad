using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging.Abstractions;
using Signage.Contracts;
using Signage.Player.Core.Api;
using Signage.Player.Core.Manifests;

namespace Signage.Player.Core.Tests;

/// <summary>Spec 27.1's per-device limits, kept by the player whatever its cadence asks for.</summary>
public sealed class RateLimitTests
{
    private static readonly DateTimeOffset T = TestManifests.Start;

    public static TheoryData<PacedEndpoint> Endpoints() => [.. Enum.GetValues<PacedEndpoint>()];

    private static string PathOf(PacedEndpoint endpoint) => endpoint switch
    {
        PacedEndpoint.Manifest => "/v1/player/manifest",
        PacedEndpoint.Heartbeat => "/v1/player/heartbeat",
        PacedEndpoint.Events => "/v1/player/events",
        PacedEndpoint.Commands => "/v1/player/commands",
        _ => throw new ArgumentOutOfRangeException(nameof(endpoint)),
    };

    private static Task Call(CoreHarness h, PacedEndpoint endpoint) => endpoint switch
    {
        PacedEndpoint.Manifest => h.Api.GetManifestAsync(null, null, CancellationToken.None),
        PacedEndpoint.Heartbeat => h.Api.PostHeartbeatAsync(() => new HeartbeatRequest("1.0.0", "PLAYING"), CancellationToken.None),
        PacedEndpoint.Events => h.Api.PostEventsAsync(new EventBatchRequest([]), CancellationToken.None),
        PacedEndpoint.Commands => h.Api.GetCommandsAsync(CancellationToken.None),
        _ => throw new ArgumentOutOfRangeException(nameof(endpoint)),
    };

    private static ConcurrentQueue<DateTimeOffset> Record(CoreHarness h, string path, Func<HttpRequestMessage, HttpResponseMessage?>? answer = null)
    {
        var sent = new ConcurrentQueue<DateTimeOffset>();
        h.Appliance.Intercept = r =>
        {
            if (r.RequestUri!.AbsolutePath != path) return null;
            sent.Enqueue(h.Clock.GetUtcNow());
            return answer?.Invoke(r);
        };
        return sent;
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task One_request_more_than_the_limit_waits_until_a_minute_after_the_first(PacedEndpoint endpoint)
    {
        using var h = new CoreHarness();
        h.Appliance.Manifest = TestManifests.Single("e:1", TestManifests.Playlist("pl", TestAsset.Image("a")));
        var sent = Record(h, PathOf(endpoint));
        var limit = RequestPacer.Limit(endpoint);
        for (var i = 0; i < limit; i++)
        {
            await Call(h, endpoint);
        }

        var over = Call(h, endpoint);
        await h.Clock.UntilAsync(() => over.IsCompleted, limit: TimeSpan.FromMinutes(2));

        Assert.Equal(limit + 1, sent.Count);
        Assert.All(sent.Take(limit), at => Assert.Equal(T, at));
        Assert.InRange(sent.Last() - T, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1) + RequestPacer.Margin + TimeSpan.FromSeconds(1));
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task After_a_429_the_endpoint_waits_out_the_retry_after_before_asking_again(PacedEndpoint endpoint)
    {
        using var h = new CoreHarness();
        h.Appliance.Manifest = TestManifests.Single("e:1", TestManifests.Playlist("pl", TestAsset.Image("a")));
        var refused = 0;
        var sent = Record(h, PathOf(endpoint), _ =>
        {
            if (Interlocked.Increment(ref refused) > 1) return null;
            var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
            response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(45));
            return response;
        });
        await Call(h, endpoint);

        var next = Call(h, endpoint);
        await h.Clock.UntilAsync(() => next.IsCompleted, limit: TimeSpan.FromMinutes(2));

        Assert.Equal(2, sent.Count);
        Assert.InRange(sent.Last() - T, TimeSpan.FromSeconds(45), TimeSpan.FromSeconds(47));
    }

    [Fact]
    public async Task A_restarted_player_still_counts_what_its_previous_run_sent_this_minute()
    {
        using var h = new CoreHarness();
        var before = new RequestPacer(h.Clock, h.Paths.RateLimits);
        await before.WaitTurnAsync(PacedEndpoint.Heartbeat, CancellationToken.None);
        await before.WaitTurnAsync(PacedEndpoint.Heartbeat, CancellationToken.None);
        h.Clock.Advance(TimeSpan.FromSeconds(10));

        var after = new RequestPacer(h.Clock, h.Paths.RateLimits);
        var turn = after.WaitTurnAsync(PacedEndpoint.Heartbeat, CancellationToken.None);
        await h.Clock.UntilAsync(() => turn.IsCompleted);
        Assert.InRange(await turn - T, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1) + RequestPacer.Margin + TimeSpan.FromSeconds(1));
        Assert.Equal(h.Clock.GetUtcNow(), await after.WaitTurnAsync(PacedEndpoint.Events, CancellationToken.None)); // only heartbeats were sent
    }

    [Fact]
    public async Task A_held_manifest_request_that_ends_with_news_does_not_use_up_the_allowance()
    {
        using var h = new CoreHarness();
        var sent = Record(h, "/v1/player/manifest", r =>
        {
            var news = FakeAppliance.JsonAnswer(TestManifests.Single($"e:{h.Appliance.Requests.Count}", TestManifests.Playlist("pl", TestAsset.Image("a"))),
                ContractsJsonContext.Default.ManifestResponse);
            news.Headers.TryAddWithoutValidation("Preference-Applied", "wait=30");
            return news;
        });
        for (var i = 0; i < 5; i++)
        {
            await h.Api.GetManifestAsync("e:0", TimeSpan.FromSeconds(30), CancellationToken.None);
        }

        // The appliance refunds these too, so five at once are within its limit.
        Assert.All(sent, at => Assert.Equal(T, at));
        Assert.Equal(5, sent.Count);
    }

    [Fact]
    public async Task Whatever_nextCheckSeconds_and_the_intervals_ask_for_the_player_never_exceeds_the_spec_limits_per_minute()
    {
        using var h = new CoreHarness();
        var a = TestAsset.Image("a", durationMs: 1000);
        // A manifest asking for a check every second, events and commands wanted every second, plays every second.
        var manifest = TestManifests.Single("e:1", TestManifests.Playlist("pl", a)) with { NextCheckSeconds = 1 };
        h.Store.Stage(LoadedManifest.From(manifest));
        h.Store.ApplyStaged();
        h.Cached(a);
        h.Appliance.Manifest = manifest;
        var sent = new ConcurrentQueue<(string Path, DateTimeOffset At)>();
        h.Appliance.Intercept = r =>
        {
            sent.Enqueue((r.RequestUri!.AbsolutePath, h.Clock.GetUtcNow()));
            return null;
        };
        var options = h.Options with { EventFlushInterval = TimeSpan.FromSeconds(1), CommandPollInterval = TimeSpan.FromSeconds(1) };
        using var player = new PlayerCoordinator(options, new PlayerDependencies(new RecordingScreen(h.Clock),
            new ConfiguredApplianceLocator(FakeAppliance.BaseAddress), h.Clock, NullLoggerFactory.Instance, h.Appliance, new Random(7)));
        using var stop = new CancellationTokenSource();
        var run = player.RunAsync(stop.Token);

        // Three minutes in 2 s steps (a busy machine must get through them within Drive's 20 s of real time).
        await h.Clock.UntilAsync(() => h.Clock.GetUtcNow() >= T.AddMinutes(3), step: TimeSpan.FromSeconds(2), limit: TimeSpan.FromMinutes(4));
        await stop.CancelAsync();
        await run;

        foreach (var endpoint in Enum.GetValues<PacedEndpoint>())
        {
            var limit = RequestPacer.Limit(endpoint);
            var times = sent.Where(s => s.Path == PathOf(endpoint)).Select(s => s.At).Order().ToList();
            // Busy: it did ask about as often as allowed (so the test would see a player asking too often).
            Assert.True(times.Count >= limit * 2, $"{endpoint}: only {times.Count} requests in 3 minutes");
            for (var i = 0; i + limit < times.Count; i++)
            {
                Assert.True(times[i + limit] - times[i] >= TimeSpan.FromMinutes(1),
                    $"{endpoint}: {limit + 1} requests between {times[i]:O} and {times[i + limit]:O}");
            }
        }
    }
}

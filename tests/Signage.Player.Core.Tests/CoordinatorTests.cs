using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Signage.Contracts;
using Signage.Player.Core.Api;
using Signage.Player.Core.Manifests;
using Signage.Player.Core.State;
using static Signage.Contracts.PlayerProtocol;

namespace Signage.Player.Core.Tests;

/// <summary>The whole core against the fake appliance, on a fake clock.</summary>
public sealed class CoordinatorTests
{
    private static readonly DateTimeOffset T = TestManifests.Start;

    private static (PlayerCoordinator Player, RecordingScreen Screen) Player(CoreHarness h)
    {
        var screen = new RecordingScreen(h.Clock);
        var player = new PlayerCoordinator(h.Options, new PlayerDependencies(screen, new ConfiguredApplianceLocator(FakeAppliance.BaseAddress), h.Clock,
            NullLoggerFactory.Instance, h.Appliance, new Random(7)));
        return (player, screen);
    }

    private static void Current(CoreHarness h, ManifestResponse manifest)
    {
        h.Store.Stage(LoadedManifest.From(manifest));
        h.Store.ApplyStaged();
    }

    private static async Task StopAsync(CancellationTokenSource stop, Task<PlayerExit> run)
    {
        await stop.CancelAsync();
        Assert.Equal(PlayerExit.Stopped, await run);
    }

    [Fact]
    public async Task From_a_warm_cache_it_plays_in_order_with_the_appliance_unreachable()
    {
        using var h = new CoreHarness();
        TestAsset a = TestAsset.Image("a"), b = TestAsset.Image("b"), c = TestAsset.Image("c");
        Current(h, TestManifests.Single("e:1", TestManifests.Playlist("pl", a, b, c)));
        Array.ForEach([a, b, c], h.Cached);
        h.Appliance.Intercept = _ => throw new HttpRequestException("no route to host");
        var (player, screen) = Player(h);
        using var stop = new CancellationTokenSource();
        var run = player.RunAsync(stop.Token);

        await h.Clock.UntilAsync(() => screen.Shown.Count >= 5);
        await StopAsync(stop, run);

        Assert.Equal(["a", "b", "c", "a", "b"], screen.ShownNames.Take(5));
        Assert.Equal(T, screen.Shown.First().At);
        var plays = h.Queue.Peek(1000).Where(e => e.EventType == EventTypes.PlayEnd).ToList();
        Assert.True(plays.Count >= 4);
        Assert.Equal(PlayResults.Completed, plays[0].Payload!.Value.GetProperty("result").GetString());
        Assert.Equal(10_000, plays[0].Payload!.Value.GetProperty("durationMs").GetInt64());
        Assert.Equal(PlayResults.Interrupted, plays[^1].Payload!.Value.GetProperty("result").GetString());
        var sequences = h.Queue.Peek(1000).Select(e => e.Sequence).ToList();
        Assert.Equal(Enumerable.Range(1, sequences.Count).Select(i => (long)i), sequences);
        player.Dispose();
    }

    [Fact]
    public async Task The_schedule_switches_on_time_while_the_appliance_is_unreachable()
    {
        using var h = new CoreHarness();
        var breakfast = TestAsset.Image("breakfast", durationMs: 25_000);
        var lunch = TestAsset.Image("lunch", durationMs: 25_000);
        Current(h, TestManifests.Timeline("e:1", 0,
            (T.AddHours(-1), T.AddSeconds(60), TestManifests.Playlist("morning", breakfast)),
            (T.AddSeconds(60), T.AddHours(3), TestManifests.Playlist("noon", lunch))));
        Array.ForEach([breakfast, lunch], h.Cached);
        h.Appliance.Intercept = _ => throw new HttpRequestException("offline");
        var (player, screen) = Player(h);
        using var stop = new CancellationTokenSource();
        var run = player.RunAsync(stop.Token);

        await h.Clock.UntilAsync(() => screen.ShownNames.Contains("lunch"), step: TimeSpan.FromMilliseconds(500));
        await StopAsync(stop, run);

        Assert.Equal(T.AddSeconds(60), screen.Shown.First(s => s.What == "lunch").At);
        Assert.Equal(["breakfast", "breakfast", "breakfast"], screen.ShownNames.TakeWhile(n => n != "lunch"));
        player.Dispose();
    }

    [Fact]
    public async Task A_new_manifest_is_downloaded_staged_and_applied_only_after_the_video_on_screen_ends()
    {
        using var h = new CoreHarness();
        var video = TestAsset.Video("video", durationMs: 30_000);
        var poster = TestAsset.Image("poster");
        Current(h, TestManifests.Single("e:1", TestManifests.Playlist("pl", video)));
        h.Cached(video);
        h.Appliance.AddAssets(video, poster);
        h.Appliance.Manifest = TestManifests.Single("e:2", TestManifests.Playlist("pl2", poster));
        var (player, screen) = Player(h);
        screen.ManualVideoEnd = new TaskCompletionSource<Playback.ShowOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        var run = player.RunAsync(stop.Token);

        await h.Clock.UntilAsync(() => player.Status().StagedManifestEtag == "e:2" && player.Status().PendingDownloads == 0);
        // Well past the video's 30 s, still inside the stall watchdog (2 × length + 30 s): the renderer has not said "ended".
        h.Clock.Advance(TimeSpan.FromSeconds(30));
        await Drive.SettleAsync();
        Assert.Equal(["video"], screen.ShownNames);

        screen.ManualVideoEnd.SetResult(Playback.ShowOutcome.Ok);
        await h.Clock.UntilAsync(() => screen.ShownNames.Contains("poster"));
        await StopAsync(stop, run);

        Assert.Equal("e:2", player.Status().ManifestEtag);
        var types = h.Appliance.Events.Select(e => e.EventType).Concat(h.Queue.Peek(1000).Select(e => e.EventType)).ToList();
        Assert.Contains(EventTypes.ManifestStaged, types);
        Assert.Contains(EventTypes.ManifestApplied, types);
        Assert.True(File.Exists(h.Paths.PreviousManifest));
        player.Dispose();
    }

    [Fact]
    public async Task A_first_boot_pairs_then_downloads_and_plays_and_reports_the_plays()
    {
        using var h = new CoreHarness(paired: false);
        var a = TestAsset.Image("a");
        h.Appliance.AddAsset(a);
        h.Appliance.Manifest = TestManifests.Single("e:1", TestManifests.Playlist("pl", a));
        var (player, screen) = Player(h);
        using var stop = new CancellationTokenSource();
        var run = player.RunAsync(stop.Token);

        await h.Clock.UntilAsync(() => screen.ShownNames.Any(n => n.StartsWith("PAIRING:", StringComparison.Ordinal)));
        Assert.Equal("UNREGISTERED", player.Status().State);
        Assert.Equal("CODE1", player.Status().PairingCode);
        h.Appliance.PairingStatus = PairingStatus.Completed;

        await h.Clock.UntilAsync(() => h.Appliance.Events.Any(e => e.EventType == EventTypes.PlayEnd), limit: TimeSpan.FromMinutes(5));
        await StopAsync(stop, run);

        Assert.Contains("a", screen.ShownNames);
        Assert.Contains(h.Appliance.Events, e => e.EventType == EventTypes.AppStarted);
        var end = h.Appliance.Events.First(e => e.EventType == EventTypes.PlayEnd).Payload!.Value;
        Assert.Equal("pl", end.GetProperty("playlistId").GetString());
        Assert.Equal("a", end.GetProperty("assetId").GetString());
        Assert.True(end.TryGetProperty("startedAtUtc", out _));
        Assert.NotEmpty(h.Appliance.Heartbeats);
        player.Dispose();
    }

    [Fact]
    public async Task After_a_restart_the_same_item_at_the_same_index_is_reported_as_a_new_showing_by_when_it_went_on()
    {
        // PLAYBACK_STUCK tells showings apart by this (issue 16): a restart starts the playlist again at
        // item 0, loop 0, so without the time the item went on a new showing looked like the old one.
        using var h = new CoreHarness();
        var a = TestAsset.Image("a");
        Current(h, TestManifests.Single("e:1", TestManifests.Playlist("pl", a)));
        h.Cached(a);
        h.Appliance.Manifest = TestManifests.Single("e:1", TestManifests.Playlist("pl", a));

        async Task<PlaybackState> RunUntilShowingAsync()
        {
            var (player, screen) = Player(h);
            using var stop = new CancellationTokenSource();
            var run = player.RunAsync(stop.Token);
            await h.Clock.UntilAsync(() => h.Appliance.Heartbeats.Any(b => b.Playback?.CurrentAssetId == "a"), limit: TimeSpan.FromMinutes(5));
            await StopAsync(stop, run);
            player.Dispose();
            var showing = h.Appliance.Heartbeats.First(b => b.Playback?.CurrentAssetId == "a").Playback!;
            h.Appliance.Heartbeats.Clear();
            return showing;
        }

        var before = await RunUntilShowingAsync();
        h.Clock.Advance(TimeSpan.FromSeconds(5));
        var after = await RunUntilShowingAsync();

        // A one-item playlist: every showing is item 0 of "pl"; only the start tells them apart.
        Assert.Equal((before.PlaylistId, before.CurrentItemIndex), (after.PlaylistId, after.CurrentItemIndex));
        Assert.NotNull(before.CurrentItemStartedAtUtc);
        Assert.NotNull(after.CurrentItemStartedAtUtc);
        Assert.True(string.CompareOrdinal(after.CurrentItemStartedAtUtc, before.CurrentItemStartedAtUtc) > 0,
            $"{after.CurrentItemStartedAtUtc} is not after {before.CurrentItemStartedAtUtc}");
    }

    [Fact]
    public async Task Repeated_401s_clear_the_token_and_show_the_pairing_screen()
    {
        using var h = new CoreHarness();
        var a = TestAsset.Image("a");
        Current(h, TestManifests.Single("e:1", TestManifests.Playlist("pl", a)));
        h.Cached(a);
        h.Appliance.Manifest = TestManifests.Single("e:1", TestManifests.Playlist("pl", a));
        h.Appliance.ValidToken = "someone-else";
        var (player, screen) = Player(h);
        using var stop = new CancellationTokenSource();
        var run = player.RunAsync(stop.Token);

        await h.Clock.UntilAsync(() => player.State == PlayerState.Unregistered && screen.ShownNames.Any(n => n.StartsWith("PAIRING", StringComparison.Ordinal)));
        await StopAsync(stop, run);

        Assert.False(File.Exists(h.Paths.DeviceToken));
        Assert.Contains(EventTypes.DeviceTokenInvalid, h.Queue.Peek(1000).Select(e => e.EventType));
        player.Dispose();
    }

    [Fact]
    public async Task Nothing_playable_shows_the_error_screen_until_content_arrives()
    {
        using var h = new CoreHarness();
        var a = TestAsset.Image("a");
        h.Appliance.Manifest = TestManifests.Single("e:1", TestManifests.Playlist("pl", a));
        var held = true;
        h.Appliance.Intercept = r => held && r.RequestUri!.AbsolutePath.StartsWith("/v1/assets/", StringComparison.Ordinal)
            ? new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)
            : null;
        h.Appliance.AddAsset(a);
        var (player, screen) = Player(h);
        using var stop = new CancellationTokenSource();
        var run = player.RunAsync(stop.Token);

        await h.Clock.UntilAsync(() => player.State == PlayerState.ErrorScreen);
        Assert.Equal("ERROR_SCREEN", screen.ShownNames[0]);
        held = false;
        await h.Clock.UntilAsync(() => screen.ShownNames.Contains("a"), limit: TimeSpan.FromMinutes(30));
        await StopAsync(stop, run);

        Assert.Equal(["ERROR_SCREEN"], screen.ShownNames.Where(n => n == "ERROR_SCREEN"));
        var types = h.Appliance.Events.Select(e => e.EventType).Concat(h.Queue.Peek(1000).Select(e => e.EventType)).ToList();
        Assert.Contains(EventTypes.NoPlayableContent, types);
        Assert.Contains(EventTypes.ErrorScreenEntered, types);
        player.Dispose();
    }

    [Fact]
    public async Task A_command_runs_once_at_a_boundary_and_its_result_is_reported()
    {
        using var h = new CoreHarness();
        var a = TestAsset.Image("a");
        Current(h, TestManifests.Single("e:1", TestManifests.Playlist("pl", a)));
        h.Cached(a);
        h.Appliance.Manifest = TestManifests.Single("e:1", TestManifests.Playlist("pl", a));
        var command = new PlayerCommand("cmd-1", CommandTypes.ClearCacheUnused, TestManifests.Utc(T), TestManifests.Utc(T.AddHours(1)));
        h.Appliance.Commands.Add(command);
        // The appliance "forgets" to remove it after the first result: it must not run twice.
        h.Appliance.Intercept = r =>
        {
            if (r.Method == HttpMethod.Post && r.RequestUri!.AbsolutePath.EndsWith("/result", StringComparison.Ordinal))
            {
                h.Appliance.CommandResults.Enqueue(("cmd-1", new CommandResultRequest("SUCCEEDED")));
                return new HttpResponseMessage(HttpStatusCode.NoContent);
            }

            return null;
        };
        var (player, screen) = Player(h);
        using var stop = new CancellationTokenSource();
        var run = player.RunAsync(stop.Token);

        await h.Clock.UntilAsync(() => !h.Appliance.CommandResults.IsEmpty);
        h.Clock.Advance(TimeSpan.FromMinutes(3));
        await h.Clock.UntilAsync(() => h.Appliance.Requests.Count(r => r.RequestUri!.AbsolutePath == "/v1/player/commands") >= 3);
        await StopAsync(stop, run);

        Assert.Single(h.Appliance.Events.Concat(h.Queue.Peek(1000)), e => e.EventType == EventTypes.CommandExecuted);
        player.Dispose();
    }
}

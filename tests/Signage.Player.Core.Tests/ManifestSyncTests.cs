using System.Net;
using Signage.Player.Core.Manifests;
using static Signage.Contracts.PlayerProtocol;

namespace Signage.Player.Core.Tests;

public sealed class ManifestSyncTests
{
    private static ManifestSync Sync(CoreHarness h) => new(h.Api, h.Store, h.Events, h.Options, h.Clock, h.NewBackoff(), h.Logger);

    [Fact]
    public async Task A_new_manifest_is_staged_and_reported_not_applied()
    {
        using var h = new CoreHarness();
        h.Appliance.Manifest = TestManifests.Single("e:1", TestManifests.Playlist("pl", TestAsset.Image("a")));
        var delay = await Sync(h).SyncOnceAsync(CancellationToken.None);

        Assert.Equal("e:1", h.Store.Staged!.Etag);
        Assert.Null(h.Store.Current);
        Assert.Contains(EventTypes.ManifestStaged, h.EventTypes());
        Assert.Equal(TimeSpan.FromSeconds(60), delay);
        Assert.True(File.Exists(h.Paths.StagedManifest));
    }

    [Fact]
    public async Task With_an_etag_it_asks_conditionally_and_may_be_held()
    {
        using var h = new CoreHarness();
        h.Appliance.Manifest = TestManifests.Single("e:1", TestManifests.Playlist("pl", TestAsset.Image("a")));
        var sync = Sync(h);
        await sync.SyncOnceAsync(CancellationToken.None);
        await sync.SyncOnceAsync(CancellationToken.None);

        var second = h.Appliance.Requests.Last();
        Assert.Equal("\"e:1\"", second.Headers.GetValues("If-None-Match").Single());
        Assert.Equal("wait=30", second.Headers.GetValues(PreferWaitHeader).Single());
        Assert.False(h.Appliance.Requests.First().Headers.Contains(PreferWaitHeader));
    }

    [Fact]
    public async Task Not_modified_keeps_the_normal_cadence_and_a_held_answer_polls_again_soon()
    {
        using var h = new CoreHarness();
        h.Appliance.Manifest = TestManifests.Single("e:1", TestManifests.Playlist("pl", TestAsset.Image("a")));
        var sync = Sync(h);
        await sync.SyncOnceAsync(CancellationToken.None);
        Assert.Equal(TimeSpan.FromSeconds(60), await sync.SyncOnceAsync(CancellationToken.None));

        // The appliance holds the request for 30 s (Prefer: wait) before answering 304; a minute on, as spec 27.1 allows
        // two manifest requests a minute.
        h.Clock.Advance(TimeSpan.FromMinutes(1) + Api.RequestPacer.Margin);
        var inner = h.Appliance.Intercept;
        h.Appliance.Intercept = r =>
        {
            h.Clock.Advance(TimeSpan.FromSeconds(30));
            return inner?.Invoke(r);
        };
        Assert.Equal(TimeSpan.FromSeconds(1), await sync.SyncOnceAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_held_request_woken_by_news_at_once_is_followed_by_the_next_held_request_soon()
    {
        using var h = new CoreHarness();
        h.Appliance.Manifest = TestManifests.Single("e:1", TestManifests.Playlist("pl", TestAsset.Image("a")));
        var sync = Sync(h);
        await sync.SyncOnceAsync(CancellationToken.None);

        // A publish lands just after the request was parked: the appliance answers 200 within a second and says it
        // applied the wait. Found end to end: a playlist publish then a fallback change left the second unseen for 60 s.
        var next = TestManifests.Single("e:2", TestManifests.Playlist("pl", TestAsset.Image("b")));
        h.Appliance.Intercept = r =>
        {
            var woken = FakeAppliance.JsonAnswer(next, Signage.Contracts.ContractsJsonContext.Default.ManifestResponse);
            woken.Headers.ETag = new System.Net.Http.Headers.EntityTagHeaderValue("\"e:2\"");
            woken.Headers.TryAddWithoutValidation("Preference-Applied", "wait=30");
            return woken;
        };
        Assert.Equal(TimeSpan.FromSeconds(15), await sync.SyncOnceAsync(CancellationToken.None));
        Assert.Equal("e:2", h.Store.Staged!.Etag);

        // Answered at once without the wait applied (the appliance never parked it): the normal cadence.
        h.Appliance.Intercept = null;
        h.Appliance.Manifest = TestManifests.Single("e:3", TestManifests.Playlist("pl", TestAsset.Image("c")));
        Assert.Equal(TimeSpan.FromSeconds(60), await sync.SyncOnceAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Polls_sooner_when_the_manifest_is_about_to_expire_but_not_faster_than_twice_a_minute()
    {
        using var h = new CoreHarness();
        var manifest = TestManifests.Single("e:1", TestManifests.Playlist("pl", TestAsset.Image("a")));
        h.Appliance.Manifest = manifest with { ValidToUtc = TestManifests.Utc(TestManifests.Start.AddSeconds(45)) };
        Assert.Equal(TimeSpan.FromSeconds(45), await Sync(h).SyncOnceAsync(CancellationToken.None));

        h.Appliance.Manifest = manifest with { ManifestEtag = "e:2", ValidToUtc = TestManifests.Utc(TestManifests.Start.AddSeconds(5)) };
        Assert.Equal(TimeSpan.FromSeconds(30), await Sync(h).SyncOnceAsync(CancellationToken.None));
    }

    [Theory]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    public async Task Throttling_honours_retry_after(HttpStatusCode status)
    {
        using var h = new CoreHarness();
        h.Appliance.Intercept = _ =>
        {
            var response = new HttpResponseMessage(status);
            response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(90));
            return response;
        };
        var delay = await Sync(h).SyncOnceAsync(CancellationToken.None);
        Assert.InRange(delay.TotalSeconds, 90, 99);
    }

    [Fact]
    public async Task Failures_back_off_exponentially_and_report_one_fetch_failure_and_one_offline_per_outage()
    {
        using var h = new CoreHarness();
        // Refused at connect: never counted against the rate limit, so the retries are not held back by it.
        h.Appliance.Intercept = _ => throw new HttpRequestException(HttpRequestError.ConnectionError, "connection refused");
        var sync = Sync(h);
        var delays = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            delays.Add((await sync.SyncOnceAsync(CancellationToken.None)).TotalSeconds);
        }

        Assert.InRange(delays[0], 1, 2);
        Assert.InRange(delays[4], 16, 32);
        Assert.Single(h.EventTypes(), EventTypes.ManifestFetchFailed);
        Assert.Single(h.EventTypes(), EventTypes.OfflineEntered);
        Assert.Equal(5, h.Events.Counters.Snapshot().ManifestFetchFailures);

        h.Appliance.Intercept = null;
        h.Appliance.Manifest = TestManifests.Single("e:1", TestManifests.Playlist("pl", TestAsset.Image("a")));
        await sync.SyncOnceAsync(CancellationToken.None);
        Assert.Single(h.EventTypes(), EventTypes.OnlineRestored);
    }

    [Fact]
    public async Task An_invalid_manifest_is_rejected_and_never_staged()
    {
        using var h = new CoreHarness();
        var broken = TestAsset.Image("a").Item with { ChecksumSha256 = "not-a-hash" };
        h.Appliance.Manifest = TestManifests.Single("e:1", new Contracts.ManifestPlaylist("pl", 1, [broken]));
        await Sync(h).SyncOnceAsync(CancellationToken.None);
        Assert.Null(h.Store.Staged);
        Assert.Contains(EventTypes.ManifestRejected, h.EventTypes());
    }

    [Fact]
    public void Applying_keeps_current_and_previous_on_disk_and_a_corrupt_file_is_reported_on_load()
    {
        using var h = new CoreHarness();
        var first = LoadedManifest.From(TestManifests.Single("e:1", TestManifests.Playlist("pl", TestAsset.Image("a"))));
        var second = LoadedManifest.From(TestManifests.Single("e:2", TestManifests.Playlist("pl", TestAsset.Image("b"))));
        h.Store.Stage(first);
        h.Store.ApplyStaged();
        h.Store.Stage(second);
        h.Store.ApplyStaged();

        var reloaded = new ManifestStore(h.Paths);
        Assert.Empty(reloaded.Load());
        Assert.Equal("e:2", reloaded.Current!.Etag);
        Assert.Equal("e:1", reloaded.Previous!.Etag);

        File.WriteAllText(h.Paths.CurrentManifest, "{\"manifestEtag\": \"e:3\", \"valid");
        var corrupt = new ManifestStore(h.Paths).Load();
        Assert.Equal("currentManifest.json", Assert.Single(corrupt).FileName);
    }
}

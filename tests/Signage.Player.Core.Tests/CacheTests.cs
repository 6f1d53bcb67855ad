using Signage.Player.Core.Cache;
using static Signage.Player.Core.Cache.EvictionPlanner;

namespace Signage.Player.Core.Tests;

public sealed class CacheTests
{
    private static readonly HashSet<string> Nothing = [];

    private static Candidate Entry(string sha, long size, long lastUsed) => new(sha, "ast_" + sha, size, lastUsed);

    [Fact]
    public void Below_ninety_percent_nothing_is_evicted()
    {
        var plan = Decide([Entry("a", 500, 1), Entry("b", 300, 2)], 100, 1000, Nothing, null);
        Assert.True(plan.Fits);
        Assert.Empty(plan.Evict);
    }

    [Fact]
    public void Above_ninety_percent_the_least_recently_used_go_first_until_under_ninety_percent()
    {
        var plan = Decide([Entry("new", 300, 30), Entry("old", 300, 10), Entry("mid", 300, 20)], 400, 1000, Nothing, null);
        Assert.True(plan.Fits);
        Assert.Equal(["old", "mid"], plan.Evict.Select(c => c.Sha256));
    }

    [Fact]
    public void Protected_assets_and_the_file_on_screen_are_never_evicted()
    {
        var plan = Decide([Entry("current", 400, 1), Entry("screen", 400, 2), Entry("spare", 100, 3)], 150, 1000, new HashSet<string> { "current" }, "screen");
        Assert.True(plan.Fits);
        Assert.Equal(["spare"], plan.Evict.Select(c => c.Sha256));
    }

    [Fact]
    public void When_nothing_can_make_room_nothing_is_deleted_and_the_download_waits()
    {
        var plan = Decide([Entry("current", 800, 1), Entry("spare", 100, 2)], 300, 1000, new HashSet<string> { "current" }, null);
        Assert.False(plan.Fits);
        Assert.Empty(plan.Evict);
    }

    [Fact]
    public void Eviction_deletes_the_files_and_reports_each_one()
    {
        using var h = new CoreHarness(budgetBytes: 10_000);
        var old = TestAsset.Image("old", 4000);
        var recent = TestAsset.Image("recent", 4000);
        h.Cached(old);
        h.Clock.Advance(TimeSpan.FromMinutes(1));
        h.Cached(recent);

        Assert.True(h.Cache.MakeRoom(2000));

        Assert.False(File.Exists(h.Paths.MediaFile(old.Sha256)));
        Assert.True(h.Cache.Contains(recent.Sha256));
        Assert.Contains(Contracts.PlayerProtocol.EventTypes.CacheEviction, h.EventTypes());
    }

    [Fact]
    public void A_file_that_goes_on_screen_becomes_most_recently_used()
    {
        using var h = new CoreHarness(budgetBytes: 10_000);
        var first = TestAsset.Image("first", 4000);
        var second = TestAsset.Image("second", 4000);
        h.Cached(first);
        h.Clock.Advance(TimeSpan.FromMinutes(1));
        h.Cached(second);
        h.Clock.Advance(TimeSpan.FromMinutes(1));
        h.Cache.PutOnScreen(first.Sha256);
        h.Cache.PutOnScreen(null);

        h.Cache.MakeRoom(2000);
        Assert.True(h.Cache.Contains(first.Sha256));
        Assert.False(h.Cache.Contains(second.Sha256));
    }

    [Fact]
    public void Clearing_all_spares_only_the_file_on_screen_and_clearing_unused_spares_the_manifests()
    {
        using var h = new CoreHarness();
        var inManifest = TestAsset.Image("in");
        var onScreen = TestAsset.Image("screen");
        var stray = TestAsset.Image("stray");
        h.Store.Stage(Manifests.LoadedManifest.From(TestManifests.Single("e:1", TestManifests.Playlist("pl", inManifest))));
        Array.ForEach([inManifest, onScreen, stray], h.Cached);
        h.Cache.PutOnScreen(onScreen.Sha256);

        Assert.Equal(1, h.Cache.ClearUnused());
        Assert.False(h.Cache.Contains(stray.Sha256));
        Assert.Equal(1, h.Cache.ClearAll());
        Assert.True(h.Cache.Contains(onScreen.Sha256));
        Assert.Equal(AssetAvailability.NotCached, h.Cache.Check(inManifest.Sha256, inManifest.Bytes.Length).Availability);
    }

    [Fact]
    public void A_damaged_file_on_screen_downloaded_again_is_not_deleted_when_it_leaves_the_screen()
    {
        using var h = new CoreHarness();
        var damaged = TestAsset.Image("damaged");
        var next = TestAsset.Image("next");
        h.Cached(damaged);
        h.Cached(next);
        h.Cache.PutOnScreen(damaged.Sha256);
        h.Cache.Forget(damaged.Sha256); // found bad while on screen: deleted once it leaves

        h.Cache.KeepWhenOffScreen(damaged.Sha256); // the download starts
        h.Cached(damaged);                       // ... and puts a good copy in place
        h.Cache.PutOnScreen(next.Sha256);

        Assert.True(File.Exists(h.Paths.MediaFile(damaged.Sha256)));
        Assert.Equal(AssetAvailability.Ready, h.Cache.Check(damaged.Sha256, damaged.Bytes.Length).Availability);
    }
}

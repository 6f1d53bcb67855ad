using Signage.Player.Core.Manifests;

namespace Signage.Player.Core.Tests;

public sealed class TimelineTests
{
    private static readonly DateTimeOffset T = TestManifests.Start;

    private static LoadedManifest Morning() => LoadedManifest.From(TestManifests.Timeline("e:1", 0,
        (T, T.AddHours(1), TestManifests.Playlist("breakfast", TestAsset.Image("a"))),
        (T.AddHours(1), T.AddHours(2), null),
        (T.AddHours(2), T.AddHours(3), TestManifests.Playlist("lunch", TestAsset.Image("b")))));

    [Fact]
    public void The_playlist_in_force_follows_the_segments()
    {
        var manifest = Morning();
        Assert.Equal("breakfast", manifest.PlaylistAt(T.AddMinutes(59))!.PlaylistId);
        Assert.Null(manifest.PlaylistAt(T.AddMinutes(60)));
        Assert.Equal("lunch", manifest.PlaylistAt(T.AddHours(2))!.PlaylistId);
    }

    [Fact]
    public void Past_the_horizon_the_last_segment_stays_in_force()
    {
        Assert.Equal("lunch", Morning().PlaylistAt(T.AddDays(5))!.PlaylistId);
    }

    [Fact]
    public void The_next_change_is_the_next_segment_with_another_playlist()
    {
        var manifest = Morning();
        Assert.Equal(T.AddHours(1), manifest.Timeline.NextChangeAfter(T.AddMinutes(5)));
        Assert.Equal(T.AddHours(2), manifest.Timeline.NextChangeAfter(T.AddMinutes(61)));
        Assert.Null(manifest.Timeline.NextChangeAfter(T.AddHours(2.5)));
    }

    [Fact]
    public void Without_a_timeline_the_single_playlist_plays()
    {
        var single = TestManifests.Single("e:1", TestManifests.Playlist("pl", TestAsset.Image("a")));
        var manifest = LoadedManifest.From(single with { Timeline = single.Timeline with { Segments = [] } });
        Assert.Equal("pl", manifest.PlaylistAt(T.AddDays(10))!.PlaylistId);
    }

    [Fact]
    public void A_staged_manifest_waits_for_the_files_due_now_unless_the_current_one_has_nothing()
    {
        var a = TestAsset.Image("a");
        var b = TestAsset.Image("b");
        var current = LoadedManifest.From(TestManifests.Single("e:1", TestManifests.Playlist("old", a)));
        var staged = LoadedManifest.From(TestManifests.Single("e:2", TestManifests.Playlist("new", a, b)));

        Assert.False(StagingPolicy.IsReady(staged, current, i => i.AssetId == "a", T));
        Assert.True(StagingPolicy.IsReady(staged, current, _ => true, T));
        Assert.True(StagingPolicy.IsReady(staged, current, i => i.AssetId == "b", T));
        Assert.True(StagingPolicy.IsReady(staged, null, _ => false, T));
    }
}

using Signage.Player.Core.Integrity;
using Signage.Player.Core.Manifests;
using Signage.Player.Core.Playback;
using static Signage.Contracts.PlayerProtocol;

namespace Signage.Player.Core.Tests;

public sealed class IntegrityTests
{
    private static ContentPicker Picker(CoreHarness h) => new(h.Store, h.Cache, new PlaylistRotation(), h.Events, h.Clock);

    private static void Current(CoreHarness h, string etag, params TestAsset[] assets)
    {
        h.Store.Stage(LoadedManifest.From(TestManifests.Single(etag, TestManifests.Playlist("pl-" + etag, assets))));
        h.Store.ApplyStaged();
    }

    [Fact]
    public void A_file_with_the_wrong_size_is_skipped_reported_and_queued_again_and_the_next_item_plays()
    {
        using var h = new CoreHarness();
        var a = TestAsset.Image("a");
        var b = TestAsset.Image("b");
        Current(h, "e:1", a, b);
        h.Cached(a);
        h.Cached(b);
        File.WriteAllBytes(h.Paths.MediaFile(a.Sha256), a.Bytes[..10]);
        var lost = new List<string>();
        var picker = Picker(h);
        picker.AssetLost += lost.Add;

        var pick = picker.Next(h.Clock.GetUtcNow());

        Assert.Equal("b", pick!.Item.AssetId);
        Assert.Equal([a.Sha256], lost);
        Assert.False(h.Cache.Contains(a.Sha256));
        Assert.Contains(EventTypes.AssetCorrupt, h.EventTypes());
        var skipped = h.Queue.Peek(100).Single(e => e.EventType == EventTypes.PlayEnd);
        Assert.Equal(PlayResults.Skipped, skipped.Payload!.Value.GetProperty("result").GetString());
    }

    [Fact]
    public void A_new_manifest_with_the_same_playlist_version_keeps_the_rotation_going()
    {
        using var h = new CoreHarness();
        var a = TestAsset.Image("a");
        var b = TestAsset.Image("b");
        var c = TestAsset.Image("c");
        h.Store.Stage(LoadedManifest.From(TestManifests.Single("e:1", TestManifests.Playlist("pl", a, b, c))));
        h.Store.ApplyStaged();
        h.Cached(a);
        h.Cached(b);
        h.Cached(c);
        var rotation = new PlaylistRotation();
        var picker = new ContentPicker(h.Store, h.Cache, rotation, h.Events, h.Clock);
        foreach (var expected in new[] { "a", "b" })
        {
            var pick = picker.Next(h.Clock.GetUtcNow())!;
            Assert.Equal(expected, pick.Item.AssetId);
            rotation.Played(pick.RotationKey, pick.Item.ItemIndex, pick.ItemCount);
        }

        // Another publish in the venue: a new manifest ETag, the same playlist version.
        h.Store.Stage(LoadedManifest.From(TestManifests.Single("e:2", TestManifests.Playlist("pl", a, b, c))));
        h.Store.ApplyStaged();

        Assert.Equal("c", picker.Next(h.Clock.GetUtcNow())!.Item.AssetId);
    }

    [Fact]
    public void A_deleted_file_falls_back_to_the_previous_manifest_then_to_nothing()
    {
        using var h = new CoreHarness();
        var old = TestAsset.Image("old");
        var fresh = TestAsset.Image("fresh");
        Current(h, "e:1", old);
        Current(h, "e:2", fresh);
        h.Cached(old);
        h.Cached(fresh);
        File.Delete(h.Paths.MediaFile(fresh.Sha256));

        var pick = Picker(h).Next(h.Clock.GetUtcNow());
        Assert.Equal(ContentSource.Previous, pick!.Source);
        Assert.Equal("old", pick.Item.AssetId);

        File.Delete(h.Paths.MediaFile(old.Sha256));
        Assert.Null(Picker(h).Next(h.Clock.GetUtcNow()));
    }

    [Fact]
    public async Task The_boot_check_hashes_every_file_and_forgets_the_damaged_ones()
    {
        using var h = new CoreHarness();
        var good = TestAsset.Image("good");
        var flipped = TestAsset.Image("flipped");
        h.Cached(good);
        h.Cached(flipped);
        var bytes = (byte[])flipped.Bytes.Clone();
        bytes[^1] ^= 1; // same size: only the hash can tell
        await File.WriteAllBytesAsync(h.Paths.MediaFile(flipped.Sha256), bytes);

        var corrupt = await new CacheVerifier(h.Cache, h.Paths, h.Events, h.Logger).VerifyAllAsync(CancellationToken.None);

        Assert.Equal([flipped.Sha256], corrupt);
        Assert.True(h.Cache.Contains(good.Sha256));
        Assert.False(File.Exists(h.Paths.MediaFile(flipped.Sha256)));
    }

    [Fact]
    public async Task A_verified_file_left_unindexed_by_a_crash_is_adopted()
    {
        using var h = new CoreHarness();
        var orphan = TestAsset.Image("orphan");
        Directory.CreateDirectory(Path.GetDirectoryName(h.Paths.MediaFile(orphan.Sha256))!);
        await File.WriteAllBytesAsync(h.Paths.MediaFile(orphan.Sha256), orphan.Bytes);

        await new CacheVerifier(h.Cache, h.Paths, h.Events, h.Logger).VerifyAllAsync(CancellationToken.None);
        Assert.True(h.Cache.Contains(orphan.Sha256));
    }
}

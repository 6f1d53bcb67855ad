using System.Net;
using Signage.Player.Core.Downloads;
using Signage.Player.Core.Manifests;

namespace Signage.Player.Core.Tests;

public sealed class DownloadTests
{
    private static DownloadScheduler Scheduler(CoreHarness h, int concurrency = 2) =>
        new(new AssetDownloader(h.Api, h.Paths, h.Clock), h.Cache, h.Store, h.Events, h.Clock, h.Random, concurrency, h.Logger);

    private static DownloadRequest Request(TestAsset a) => new(a.Sha256, a.AssetId, a.Item.Url, a.Bytes.Length, DownloadPriority.Staged);

    [Fact]
    public void Staged_items_due_now_come_first_then_upcoming_playlists_in_timeline_order_then_the_rest()
    {
        var now = TestManifests.Start;
        TestAsset a = TestAsset.Image("a"), b = TestAsset.Image("b"), c = TestAsset.Image("c"), d = TestAsset.Image("d"), e = TestAsset.Image("e");
        var current = LoadedManifest.From(TestManifests.Timeline("e:1", 0,
            (now.AddHours(-1), now.AddHours(1), TestManifests.Playlist("now", a)),
            (now.AddHours(1), now.AddHours(5), TestManifests.Playlist("later", d)),
            (now.AddHours(5), now.AddHours(9), TestManifests.Playlist("unused-soon", e))));
        var staged = LoadedManifest.From(TestManifests.Timeline("e:2", 0,
            (now.AddHours(-1), now.AddHours(2), TestManifests.Playlist("new-now", b)),
            (now.AddHours(2), now.AddHours(4), TestManifests.Playlist("new-later", c))));

        var plan = DownloadPlanner.Plan(staged, current, now, _ => false);

        Assert.Equal(["b", "a", "d", "c", "e"], plan.Select(p => p.AssetId));
        Assert.Equal([DownloadPriority.Staged, DownloadPriority.Staged, DownloadPriority.Upcoming, DownloadPriority.Upcoming, DownloadPriority.Upcoming],
            plan.Select(p => p.Priority));
        Assert.DoesNotContain(DownloadPlanner.Plan(staged, current, now, sha => sha == b.Sha256), p => p.AssetId == "b");
    }

    [Fact]
    public async Task A_download_cut_off_midway_resumes_with_a_range_request_and_is_verified()
    {
        using var h = new CoreHarness();
        var asset = TestAsset.Video("v", size: 100_000);
        h.Appliance.AddAsset(asset);
        var cut = true;
        h.Appliance.Intercept = r =>
        {
            if (!cut)
            {
                return null;
            }

            cut = false;
            // Half the file, then the connection dies.
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new DyingStream(asset.Bytes, 40_000)) };
        };
        var downloader = new AssetDownloader(h.Api, h.Paths, h.Clock);

        var first = await downloader.DownloadAsync(Request(asset), CancellationToken.None);
        Assert.False(first.Succeeded);
        Assert.Equal(40_000, downloader.PartialBytes(asset.Sha256));

        var second = await downloader.DownloadAsync(Request(asset), CancellationToken.None);
        Assert.True(second.Succeeded, second.Reason);
        Assert.Equal("bytes=40000-", h.Appliance.Requests.Last().Headers.Range!.ToString());
        Assert.Equal(asset.Bytes, await File.ReadAllBytesAsync(h.Paths.MediaFile(asset.Sha256)));
        Assert.False(File.Exists(h.Paths.PartialFile(asset.Sha256)));
    }

    [Fact]
    public async Task Bytes_that_do_not_hash_to_the_checksum_never_enter_the_cache()
    {
        using var h = new CoreHarness();
        var asset = TestAsset.Image("a");
        var tampered = (byte[])asset.Bytes.Clone();
        tampered[10] ^= 0xFF;
        h.Appliance.Intercept = _ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(tampered) };

        var result = await new AssetDownloader(h.Api, h.Paths, h.Clock).DownloadAsync(Request(asset), CancellationToken.None);

        Assert.Equal("CHECKSUM_MISMATCH", result.Reason);
        Assert.False(File.Exists(h.Paths.MediaFile(asset.Sha256)));
        Assert.False(File.Exists(h.Paths.PartialFile(asset.Sha256)));
    }

    [Fact]
    public async Task No_more_than_two_downloads_run_at_once()
    {
        using var h = new CoreHarness();
        var assets = Enumerable.Range(0, 6).Select(i => TestAsset.Image("a" + i)).ToArray();
        h.Appliance.AddAssets(assets);
        h.Store.Stage(LoadedManifest.From(TestManifests.Single("e:1", TestManifests.Playlist("pl", assets))));
        var running = 0;
        var most = 0;
        var release = new SemaphoreSlim(0);
        var inner = h.Appliance;
        h.Appliance.Intercept = r =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref most, now);
            release.Wait(TimeSpan.FromSeconds(5));
            Interlocked.Decrement(ref running);
            return null;
        };

        var scheduler = Scheduler(h);
        using var stop = new CancellationTokenSource();
        var run = Task.Run(() => scheduler.RunAsync(stop.Token));
        for (var i = 0; i < 6; i++)
        {
            await Drive.SettleAsync(10);
            release.Release();
        }

        await h.Clock.UntilAsync(() => h.Cache.Count == 6, step: TimeSpan.FromMilliseconds(100));
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.Equal(2, most);
    }

    [Fact]
    public async Task A_failed_file_is_retried_later_with_backoff_and_reported()
    {
        using var h = new CoreHarness();
        var asset = TestAsset.Image("a");
        h.Store.Stage(LoadedManifest.From(TestManifests.Single("e:1", TestManifests.Playlist("pl", asset))));
        var scheduler = Scheduler(h);

        Assert.Null(await scheduler.RunNextAsync(CancellationToken.None)); // 404: not on the appliance yet
        var idle = await scheduler.RunNextAsync(CancellationToken.None);
        Assert.NotNull(idle);
        Assert.InRange(idle.Value.TotalSeconds, 5, 10);
        Assert.Contains(Contracts.PlayerProtocol.EventTypes.DownloadFailed, h.EventTypes());

        h.Appliance.AddAsset(asset);
        h.Clock.Advance(idle.Value);
        Assert.Null(await scheduler.RunNextAsync(CancellationToken.None));
        Assert.True(h.Cache.Contains(asset.Sha256));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    /// <summary>Serves the first bytes of a file, then fails like a dropped connection.</summary>
    private sealed class DyingStream(byte[] bytes, int dieAfter) : MemoryStream(bytes, 0, dieAfter)
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await base.ReadAsync(buffer, cancellationToken);
            return read > 0 ? read : throw new IOException("connection reset by peer");
        }
    }
}

using System.Security.Cryptography;
using Signage.TestInfrastructure;
using Xunit.Abstractions;

namespace Signage.Player.EndToEnd.Tests;

/// <summary>
/// A slow and broken network between a player and its appliance (issue 10): the headless player knows the appliance only
/// through a <see cref="FaultyLink"/> that adds latency and resets connections at random (seeded) part-way through
/// pairing, manifest polls, downloads and event uploads. Nothing played is lost or counted twice, and no partial or
/// damaged file is ever played.
/// </summary>
public sealed class NetworkFaultTests(ITestOutputHelper output) : PlayerTestBase(output)
{
    [Fact]
    public async Task Over_a_link_that_cuts_connections_at_random_every_play_reaches_the_appliance_once_and_only_whole_files_play()
    {
        await using var link = FaultyLink.Start(Appliance.BaseAddress, seed: 1124);
        var small = await Appliance.UploadAsync("small.jpg", Jpeg("net small"));
        var bigBytes = LargeJpeg(384 * 1024);
        var sha = Convert.ToHexStringLower(SHA256.HashData(bigBytes));
        var big = await Appliance.UploadAsync("big.jpg", bigBytes);
        await Appliance.SetFallbackAsync(await Appliance.PublishPlaylistAsync("Loop", (small, ItemMs), (big, ItemMs)));

        // 25 ms per 16 KiB chunk each way, one chunk in 30 cut part-way (both sides reset), and every connection cut
        // after 256 KiB, so the big image can never come in one piece (the player's retries back off: 10 s, then 20 s).
        link.Latency = TimeSpan.FromMilliseconds(25);
        link.CutChance = 1.0 / 30;
        link.CutAfterBytes = 256 * 1024;
        var player = StartPlayer(via: link.Address);
        var limit = TimeSpan.FromSeconds(40);
        await WaitUntilAsync(() => player.PairingCode is not null, "a pairing code over the bad link", player, limit);
        var deviceId = await Appliance.ClaimAsync(player.PairingCode!, "screen1");

        // Until the big image has played a few times: whatever is in media/ is whole and verified at every look.
        var media = Path.Combine(player.DataDirectory, "media");
        var hashes = new Dictionary<string, string>();
        while (player.Frames().Count(f => f.AssetId == big) < 3 || ContentFrames(player) < 12)
        {
            foreach (var file in Directory.Exists(media) ? Directory.GetFiles(media, "*", SearchOption.AllDirectories) : [])
            {
                var name = Path.GetFileNameWithoutExtension(file);
                var bytes = await ReadAsync(file);
                if (bytes is null) continue; // replaced between the listing and the read
                Assert.Equal(name[..64], Convert.ToHexStringLower(SHA256.HashData(bytes)));
                hashes[name[..64]] = "whole";
            }
            Assert.True(DateTime.UtcNow - player.StartedAt < TimeSpan.FromSeconds(60),
                $"not enough plays over the bad link: {ContentFrames(player)} frames, {player.Frames().Count(f => f.AssetId == big)} of the big image\n{player.Describe()}");
            await Task.Delay(100);
        }

        // Then 15 s in which every answer is cut as it starts, and a third of the chunks towards the appliance part-way:
        // event uploads the appliance stored but the player never heard about (re-sent, they must count once), polls,
        // heartbeats broken.
        link.CutAfterBytes = 0;
        link.CutChance = 1.0 / 3;
        link.CutAnswers = true;
        // The player sends at most 6 event uploads a minute (spec 27.1, RequestPacer): give the broken phase
        // until an upload was cut (at most 70 s), not a fixed 15 s.
        var brokenSince = DateTime.UtcNow;
        await Task.Delay(TimeSpan.FromSeconds(15));
        while (DateTime.UtcNow - brokenSince < TimeSpan.FromSeconds(70)
            && !link.CutRequests.Any(r => r.StartsWith("POST /v1/player/events", StringComparison.Ordinal)))
            await Task.Delay(500);
        var (cuts, connections, cutRequests) = (link.Cuts, link.Connections, link.CutRequests);
        var requests = link.Requests;

        // Healed: the queued events drain; every play the player showed arrives once.
        link.Heal();
        var shown = ContentFrames(player);
        await WaitUntilAsync(() => PlayEnds(deviceId).Count >= shown, $"every play shown before the heal ({shown}) at the appliance", player, limit);
        var playEnds = PlayEnds(deviceId);
        var shownAfter = ContentFrames(player);
        Log.WriteLine($"{connections} connections, {cuts} cut by the link ({string.Join(", ", cutRequests.Select(r => r.Replace(sha, "{big}", StringComparison.Ordinal)))}); requests seen: "
            + string.Join(", ", requests.GroupBy(r => r.Method + " " + r.Path.Split('?')[0].Replace(sha, "{big}", StringComparison.Ordinal)).Select(g => $"{g.Key} ×{g.Count()}"))
            + $"; {shown} plays shown before the heal, {playEnds.Count} PLAY_ENDs at the appliance, {shownAfter} shown by then");

        Assert.Contains(cutRequests, r => r.EndsWith(sha, StringComparison.Ordinal));
        Assert.Contains(cutRequests, r => r.StartsWith("POST /v1/player/events", StringComparison.Ordinal));
        Assert.True(requests.Count(r => r.Path.EndsWith(sha, StringComparison.Ordinal)) >= 2, "the big image was fetched in one go: no download was cut");
        AssertEveryEventOnce(deviceId);
        Assert.InRange(playEnds.Count, shown, shownAfter);
        Assert.All(player.Frames().Where(f => f.IsContent), f => Assert.Contains(f.AssetId, new[] { small, big }));
        Assert.Contains(sha, hashes.Keys);
        Assert.Equal(sha, Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(Directory.GetFiles(media, sha + "*", SearchOption.AllDirectories).Single()))));
    }

    private static async Task<byte[]?> ReadAsync(string path)
    {
        try
        {
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var memory = new MemoryStream();
            await file.CopyToAsync(memory);
            return memory.ToArray();
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }
}

using System.Security.Cryptography;
using Signage.TestInfrastructure;
using Xunit.Abstractions;

namespace Signage.Player.EndToEnd.Tests;

/// <summary>
/// "kill -9 a player mid-download" (issue 10): the player reaches the appliance through a slow link (a relay,
/// <see cref="FaultyLink"/>, that passes 1 MiB/s towards the player and notes the requests), is killed while a 6 MiB image is
/// half downloaded, and on restart asks for the rest with a Range request; nothing partial is ever in its media
/// folder or on screen, and the file it finally plays is whole and verified.
/// </summary>
public sealed class KilledMidDownloadTests(ITestOutputHelper output) : PlayerTestBase(output)
{
    private const int BytesPerSecond = 1024 * 1024;

    [Fact]
    public async Task A_player_killed_mid_download_resumes_with_a_range_request_after_restart_and_never_plays_a_partial_file()
    {
        await using var link = FaultyLink.Start(Appliance.BaseAddress);
        link.BytesPerSecond = BytesPerSecond;
        var small = await Appliance.UploadAsync("small.jpg", Jpeg("small"));
        var bigBytes = LargeJpeg(6 * 1024 * 1024);
        var sha = Convert.ToHexStringLower(SHA256.HashData(bigBytes));
        var big = await Appliance.UploadAsync("big.jpg", bigBytes);
        await Appliance.SetFallbackAsync(await Appliance.PublishPlaylistAsync("Loop", (small, ItemMs), (big, ItemMs)));

        var data = Temp.Combine("screen1");
        var first = PlayerProcess.Start(link.Address, data);
        long killedAt;
        try
        {
            await WaitUntilAsync(() => first.PairingCode is not null, "a pairing code", first);
            await Appliance.ClaimAsync(first.PairingCode!, "screen1");
            var part = Path.Combine(data, "downloads", sha + ".part");
            await WaitUntilAsync(() => File.Exists(part) && new FileInfo(part).Length >= bigBytes.Length / 4, "a quarter of the big file downloaded", first,
                TimeSpan.FromSeconds(60));
            await first.KillHardAsync();
            killedAt = new FileInfo(part).Length;
            Assert.InRange(killedAt, 1, bigBytes.Length - 1);
            Assert.Empty(MediaFiles(data, sha));
            Assert.DoesNotContain(first.Frames(), f => f.AssetId == big);
        }
        finally
        {
            await first.DisposeAsync();
        }

        var requestsBefore = link.Requests.Count;
        await using var second = PlayerProcess.Start(link.Address, data);
        // Whenever the file is in media/, it is whole and verified; until then it never shows.
        while (!second.Frames().Any(f => f.AssetId == big))
        {
            foreach (var file in MediaFiles(data, sha)) Assert.Equal(sha, Convert.ToHexStringLower(SHA256.HashData(await ReadAsync(file))));
            Assert.True(DateTime.UtcNow - second.StartedAt < TimeSpan.FromSeconds(60), $"the big image never played\n{second.Describe()}");
            await Task.Delay(50);
        }
        var played = Assert.Single(MediaFiles(data, sha));
        Assert.Equal(sha, Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(played))));
        var resumed = link.Requests.Skip(requestsBefore).Where(r => r.Path.EndsWith(sha, StringComparison.Ordinal)).ToList();
        Log.WriteLine($"killed with {killedAt:N0} of {bigBytes.Length:N0} bytes; after the restart: {string.Join(", ", resumed.Select(r => r.Range ?? "no Range"))}");
        Assert.Equal($"bytes={killedAt}-", resumed.First().Range);
    }

    private static string[] MediaFiles(string data, string sha) =>
        Directory.Exists(Path.Combine(data, "media")) ? Directory.GetFiles(Path.Combine(data, "media"), sha + "*", SearchOption.AllDirectories) : [];

    private static async Task<byte[]> ReadAsync(string path)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var memory = new MemoryStream();
        await file.CopyToAsync(memory);
        return memory.ToArray();
    }
}

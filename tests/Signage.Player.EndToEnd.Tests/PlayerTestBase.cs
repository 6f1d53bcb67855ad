using System.Diagnostics;
using Signage.Appliance.Tests.Infrastructure;
using Signage.Media.Tests;
using Xunit.Abstractions;

namespace Signage.Player.EndToEnd.Tests;

/// <summary>One appliance and the players a test starts, all killed afterwards; a temp directory for their data.</summary>
public abstract class PlayerTestBase(ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>Every wait in these tests is bounded by this.</summary>
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    /// <summary>For waits on events the player uploads: it sends at most 6 batches a minute (spec 27.1), and a
    /// restarted player keeps its count, so its next upload can be up to a minute away.</summary>
    protected static readonly TimeSpan UploadPatience = TimeSpan.FromSeconds(70);

    protected const int ItemMs = 1000;

    private readonly List<PlayerProcess> _players = [];

    protected TempDirectory Temp { get; } = new();

    protected Appliance Appliance { get; private set; } = null!;

    protected ITestOutputHelper Log { get; } = output;

    /// <summary>Extra appliance settings for a test class.</summary>
    protected virtual IDictionary<string, string>? ApplianceSettings => null;

    public async Task InitializeAsync() => Appliance = await Appliance.StartAsync(Temp.Combine("appliance"), ApplianceSettings);

    public async Task DisposeAsync()
    {
        foreach (var player in _players) await player.DisposeAsync();
        await Appliance.DisposeAsync();
        Temp.Dispose();
    }

    /// <param name="via">The appliance's address as the player is to know it (a relay in network fault tests); its own by default.</param>
    protected PlayerProcess StartPlayer(string name = "screen1", Uri? via = null)
    {
        var player = PlayerProcess.Start(via ?? Appliance.BaseAddress, Temp.Combine(name));
        _players.Add(player);
        return player;
    }

    /// <summary>A distinct real JPEG: the fixture with a COM segment naming the variant after SOI.</summary>
    protected static byte[] Jpeg(string variant)
    {
        var fixture = Fixture.Read(Fixture.Jpeg);
        var text = System.Text.Encoding.ASCII.GetBytes(variant);
        var comment = new byte[4 + text.Length];
        comment[0] = 0xFF;
        comment[1] = 0xFE;
        comment[2] = (byte)((text.Length + 2) >> 8);
        comment[3] = (byte)((text.Length + 2) & 0xFF);
        text.CopyTo(comment, 4);
        return [.. fixture.AsSpan(0, 2), .. comment, .. fixture.AsSpan(2)];
    }

    /// <summary>A valid JPEG (the fixture) of about <paramref name="size"/> bytes: COM segments of random bytes after SOI.</summary>
    protected static byte[] LargeJpeg(int size)
    {
        var jpeg = Jpeg("large");
        var random = new Random(20261123);
        var bytes = new List<byte>(size + jpeg.Length) { jpeg[0], jpeg[1] };
        while (bytes.Count < size)
        {
            var filler = new byte[65_000];
            random.NextBytes(filler);
            bytes.AddRange([0xFF, 0xFE, (byte)((filler.Length + 2) >> 8), (byte)((filler.Length + 2) & 0xFF)]);
            bytes.AddRange(filler);
        }
        bytes.AddRange(jpeg.AsSpan(2).ToArray());
        return [.. bytes];
    }

    /// <summary>Two uploaded images in a published playlist (1 s each) that is the venue's fallback.</summary>
    protected async Task<(string A, string B, string Playlist)> PublishTwoImageFallbackAsync(string prefix = "first")
    {
        var a = await Appliance.UploadAsync($"{prefix}-a.jpg", Jpeg($"{prefix} A"));
        var b = await Appliance.UploadAsync($"{prefix}-b.png", prefix == "first" ? Fixture.Read(Fixture.Png) : Jpeg($"{prefix} B"));
        var playlist = await Appliance.PublishPlaylistAsync(prefix, (a, ItemMs), (b, ItemMs));
        await Appliance.SetFallbackAsync(playlist);
        return (a, b, playlist);
    }

    /// <summary>Starts a player, reads its pairing code from standard output, claims it as the admin and
    /// waits for content on screen. Returns the player and its device id.</summary>
    protected async Task<(PlayerProcess Player, string DeviceId)> StartPairedPlayerAsync(string name = "screen1")
    {
        var player = StartPlayer(name);
        await WaitUntilAsync(() => player.PairingCode is not null, "a pairing code on the player's standard output", player);
        var deviceId = await Appliance.ClaimAsync(player.PairingCode!, name);
        await WaitUntilAsync(() => player.Frames().Any(f => f.IsContent), "content on screen after the claim", player);
        return (player, deviceId);
    }

    protected static int ContentFrames(PlayerProcess player) => player.Frames().Count(f => f.IsContent);

    protected Task WaitForMoreContentFramesAsync(PlayerProcess player, int more, TimeSpan? limit = null)
    {
        var target = ContentFrames(player) + more;
        return WaitUntilAsync(() => ContentFrames(player) >= target, $"{more} more content frames", player, limit);
    }

    protected async Task WaitUntilAsync(Func<bool> condition, string what, PlayerProcess? player = null, TimeSpan? limit = null)
    {
        var clock = Stopwatch.StartNew();
        var deadline = limit ?? Patience;
        while (!condition())
        {
            if (clock.Elapsed > deadline)
            {
                Assert.Fail($"Waited {deadline.TotalSeconds} s for {what}.\n{player?.Describe()}\n{Appliance.Describe()}");
            }
            await Task.Delay(100);
        }
        Log.WriteLine($"{what}: {clock.ElapsedMilliseconds} ms");
    }

    /// <summary>Every event once: distinct sequences, no holes from 1 to the last, one PLAY_END per play.</summary>
    protected void AssertEveryEventOnce(string deviceId)
    {
        var events = Appliance.Events(deviceId);
        Assert.NotEmpty(events);
        Assert.Equal(events.Count, events.Select(e => e.Sequence).Distinct().Count());
        Assert.Empty(Appliance.MissingSequences(deviceId));
        Assert.Equal(1, events.Min(e => e.Sequence));
        var playEnds = PlayEnds(deviceId);
        Assert.Equal(playEnds.Count, playEnds.Select(p => (p.AssetId, p.StartedAtUtc)).Distinct().Count());
    }

    /// <summary>PLAY_END rows of plays that were on screen (COMPLETED or INTERRUPTED).</summary>
    protected List<(string AssetId, string StartedAtUtc, string Result)> PlayEnds(string deviceId) =>
        [.. Appliance.Events(deviceId).Where(e => e.EventType == "PLAY_END").Select(e =>
        {
            using var payload = System.Text.Json.JsonDocument.Parse(e.PayloadJson);
            var root = payload.RootElement;
            return (root.GetProperty("assetId").GetString()!, root.GetProperty("startedAtUtc").GetString()!, root.GetProperty("result").GetString()!);
        }).Where(p => p.Item3 is "COMPLETED" or "INTERRUPTED")];
}

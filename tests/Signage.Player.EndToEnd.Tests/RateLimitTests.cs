using System.Diagnostics;
using Xunit.Abstractions;

namespace Signage.Player.EndToEnd.Tests;

/// <summary>
/// Spec 27.1's per-device limits on, as in the field: a real headless player against the published appliance for three
/// minutes of real time (the limits are per minute of the appliance's clock), through pairing, playback, event uploads,
/// heartbeats, command polls and a publish in the middle. The appliance refuses nothing.
/// </summary>
public sealed class RateLimitTests(ITestOutputHelper output) : PlayerTestBase(output)
{
    [Fact]
    public async Task A_real_player_running_three_minutes_with_the_spec_rate_limits_on_is_never_answered_429()
    {
        var first = await Appliance.UploadAsync("first.jpg", Jpeg("limits first"));
        var second = await Appliance.UploadAsync("second.jpg", Jpeg("limits second"));
        await Appliance.SetFallbackAsync(await Appliance.PublishPlaylistAsync("First", (first, ItemMs)));
        var (player, deviceId) = await StartPairedPlayerAsync();
        await WaitForMoreContentFramesAsync(player, 1);

        var clock = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(90));
        await Appliance.SetFallbackAsync(await Appliance.PublishPlaylistAsync("Second", (second, ItemMs)));
        await WaitUntilAsync(() => player.Frames().Any(f => f.AssetId == second), "the second playlist on screen", player);
        await Task.Delay(TimeSpan.FromMinutes(3) - clock.Elapsed);

        // It did talk to the appliance the whole time: plays arrived (6 batches a minute at most) and the new playlist came.
        var plays = PlayEnds(deviceId);
        Log.WriteLine($"{plays.Count} plays stored, {ContentFrames(player)} content frames shown");
        Assert.True(plays.Count >= 100, $"only {plays.Count} plays reached the appliance in 3 minutes\n{player.Describe()}");
        Assert.Empty(Appliance.RateLimitRefusals());
        Assert.Equal(0, player.Output.Count(l => l.Contains("429", StringComparison.Ordinal)));
    }
}

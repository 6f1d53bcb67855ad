using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Signage.Contracts;
using Xunit.Abstractions;

namespace Signage.Player.EndToEnd.Tests;

/// <summary>
/// Issue 16 end to end: the real headless player meets a damaged cached file (PLAY_END SKIPPED) and is stopped mid-item by
/// SIGTERM (PLAY_END INTERRUPTED, kept in its durable queue and sent after the restart); the native appliance's report
/// counts them in their own columns, never as plays, in the JSON and the CSV alike.
/// </summary>
public sealed class PlayResultsEndToEndTests(ITestOutputHelper output) : PlayerTestBase(output)
{
    private const int LongItemMs = 8_000;

    [Fact]
    public async Task A_skipped_damaged_file_and_items_cut_by_stopping_or_killing_the_player_are_reported_in_their_own_columns_and_not_as_plays()
    {
        var shortBytes = Jpeg("results short");
        var shortSha = Convert.ToHexStringLower(SHA256.HashData(shortBytes));
        var shortItem = await Appliance.UploadAsync("short.jpg", shortBytes);
        var longItem = await Appliance.UploadAsync("long.jpg", Jpeg("results long"));
        await Appliance.SetFallbackAsync(await Appliance.PublishPlaylistAsync("Results", (shortItem, ItemMs), (longItem, LongItemMs)));

        var (player, deviceId) = await StartPairedPlayerAsync();
        await WaitUntilAsync(() => player.Frames().Count(f => f.AssetId == longItem) >= 1 && player.Frames().Count(f => f.AssetId == shortItem) >= 2,
            "both items on screen", player, TimeSpan.FromSeconds(40));

        // The short item's cached file is cut short: the player's check before showing it finds it damaged and skips it.
        var cached = Assert.Single(Directory.GetFiles(Path.Combine(player.DataDirectory, "media"), shortSha + "*", SearchOption.AllDirectories));
        await File.WriteAllBytesAsync(cached, shortBytes.AsSpan(0, 100).ToArray());
        await WaitUntilAsync(() => Results(deviceId).Contains((shortItem, "SKIPPED")), "PLAY_END SKIPPED at the appliance", player, TimeSpan.FromSeconds(40));

        // Stopped (SIGTERM) two seconds into the long item: the play it cuts short is INTERRUPTED.
        var framesBefore = player.Frames().Count;
        await WaitUntilAsync(() => player.Frames().Count > framesBefore && player.Frames()[^1].AssetId == longItem, "the long item on screen again", player,
            TimeSpan.FromSeconds(40));
        await Task.Delay(2_000);
        Assert.Equal(0, await player.StopAsync());

        // The INTERRUPTED play waits in the player's durable queue if it was not sent before the exit; the restart sends it.
        var restarted = StartPlayer();
        await WaitUntilAsync(() => Results(deviceId).Contains((longItem, "INTERRUPTED")), "PLAY_END INTERRUPTED at the appliance", restarted,
            TimeSpan.FromSeconds(40));

        // Killed (kill -9) with the long item on screen: no chance to record anything then; the play is ended as INTERRUPTED
        // (0 ms: how long it showed is unknown) when the player starts again.
        framesBefore = restarted.Frames().Count;
        await WaitUntilAsync(() => restarted.Frames().Count > framesBefore && restarted.Frames()[^1].AssetId == longItem, "the long item on screen after the restart",
            restarted, TimeSpan.FromSeconds(40));
        await Task.Delay(1_000);
        await restarted.KillHardAsync();
        var third = StartPlayer();
        await WaitUntilAsync(() => Plays(deviceId).Any(p => p.AssetId == longItem && p.Result == "INTERRUPTED" && p.DurationMs == 0),
            "PLAY_END INTERRUPTED (0 ms) at the appliance after kill -9", third, TimeSpan.FromSeconds(40));
        Assert.Equal(0, await third.StopAsync());

        // What the appliance stored, counted by result, is what the report shows, column by column.
        var stored = Plays(deviceId);
        // Cut about two seconds in (the restart's own stop may add another, shorter or not yet sent).
        Assert.Contains(stored, p => p.AssetId == longItem && p.Result == "INTERRUPTED" && p.DurationMs is >= 1_500 and < LongItemMs);
        var today = DateTime.UtcNow;
        var range = $"from={today.AddDays(-1):yyyy-MM-dd}&to={today.AddDays(1):yyyy-MM-dd}&groupBy=content";
        var report = (await (await Appliance.SendAsync(HttpMethod.Get, $"/v1/venues/{Appliance.VenueId}/reports/proof-of-play?{range}")).Content
            .ReadFromJsonAsync(ContractsJsonContext.Default.ProofOfPlayReport))!;
        foreach (var asset in new[] { shortItem, longItem })
        {
            var mine = stored.Where(p => p.AssetId == asset).ToList();
            var row = Assert.Single(report.Rows, r => r.Key == asset);
            Log.WriteLine($"{asset}: {row}");
            Assert.Equal((mine.Count(p => p.Result == "COMPLETED"), mine.Where(p => p.Result == "COMPLETED").Sum(p => p.DurationMs)), (row.Plays, row.TotalDurationMs));
            Assert.Equal((mine.Count(p => p.Result == "INTERRUPTED"), mine.Where(p => p.Result == "INTERRUPTED").Sum(p => p.DurationMs)),
                (row.Interrupted, row.InterruptedDurationMs));
            Assert.Equal((mine.Count(p => p.Result == "ERROR"), mine.Count(p => p.Result == "SKIPPED")), (row.Failed, row.Skipped));
        }
        Assert.True(report.Total.Skipped >= 1 && report.Total.Interrupted >= 1, $"{report.Total}");
        Assert.Equal(stored.Count(p => p.Result == "COMPLETED"), report.Total.Plays);

        var csv = await (await Appliance.SendAsync(HttpMethod.Get, $"/v1/venues/{Appliance.VenueId}/reports/proof-of-play.csv?{range}")).Content.ReadAsStringAsync();
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("content,label,plays,totalDurationMs,interrupted,interruptedDurationMs,failed,skipped", lines[0]);
        Assert.Equal($"TOTAL,,{ReportCsv.Counts(report.Total)}", lines[^1]);
        Assert.Equal(
            [.. report.Rows.Select(r => $"{r.Key},{r.Label},{ReportCsv.Counts(r)}")],
            lines[1..^1]);
    }

    private List<(string AssetId, string Result, long DurationMs)> Plays(string deviceId) =>
        [.. Appliance.Events(deviceId).Where(e => e.EventType == "PLAY_END").Select(e => Play(e.PayloadJson))];

    private HashSet<(string AssetId, string Result)> Results(string deviceId) => [.. Plays(deviceId).Select(p => (p.AssetId, p.Result))];

    private static (string AssetId, string Result, long DurationMs) Play(string payloadJson)
    {
        using var payload = JsonDocument.Parse(payloadJson);
        var root = payload.RootElement;
        return (root.GetProperty("assetId").GetString()!, root.GetProperty("result").GetString()!, root.GetProperty("durationMs").GetInt64());
    }
}

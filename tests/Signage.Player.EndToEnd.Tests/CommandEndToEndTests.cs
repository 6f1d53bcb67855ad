using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Signage.Contracts;
using Xunit.Abstractions;
using static Signage.Contracts.PlayerProtocol;

namespace Signage.Player.EndToEnd.Tests;

/// <summary>Spec 28.7's commands by their names, from the appliance's API to the real headless player and back.</summary>
public sealed class CommandEndToEndTests(ITestOutputHelper output) : PlayerTestBase(output)
{
    /// <summary>The player polls commands every 30 s (spec 27.1 allows 2 a minute).</summary>
    private static readonly TimeSpan CommandPatience = TimeSpan.FromSeconds(50);

    [Fact]
    public async Task The_real_player_runs_every_spec_command_acknowledges_it_and_diagnostics_turn_themselves_off()
    {
        await PublishTwoImageFallbackAsync();
        var (player, deviceId) = await StartPairedPlayerAsync();

        // Everything but REBOOT_APP in one poll; diagnostics for 8 s over a level of WARNING.
        var sent = new List<(string Type, string Id)>();
        foreach (var (type, parameters) in new[]
        {
            (CommandTypes.SetLogLevel, """{"level":"WARNING"}"""),
            (CommandTypes.EnableDiagnostics, """{"durationSeconds":8}"""),
            (CommandTypes.RequestManifestRefresh, null),
            (CommandTypes.RestartPlaybackLoop, null),
            (CommandTypes.ClearCacheUnused, null),
            (CommandTypes.ClearCacheAll, null),
        })
        {
            sent.Add((type, await SendAsync(deviceId, type, parameters)));
        }

        await WaitUntilAsync(() => Commands(deviceId).Count(c => c.Status == "SUCCEEDED") == sent.Count, "every command acknowledged SUCCEEDED", player, CommandPatience);
        var results = Commands(deviceId).ToDictionary(c => c.CommandId);
        Log.WriteLine(string.Join('\n', sent.Select(s => $"{s.Type}: {results[s.Id].ResultMessage}")));
        Assert.Equal("log level WARNING", results[sent[0].Id].ResultMessage);
        Assert.StartsWith("diagnostics on for 8 s, until ", results[sent[1].Id].ResultMessage);
        Assert.Equal("manifest check started", results[sent[2].Id].ResultMessage);
        Assert.Matches("^[0-9]+ unused files removed$", results[sent[4].Id].ResultMessage);
        Assert.Matches("^[1-9][0-9]* files removed; downloading again$", results[sent[5].Id].ResultMessage);

        // Diagnostics: DEBUG now (the items going on screen are logged), then off by themselves, back to WARNING.
        // status.json follows the player's state up to ~1.2 s late (StatusFileWriter), so wait for it.
        await WaitUntilAsync(() => player.Status()?.GetProperty("diagnosticsEnabled").GetBoolean() == true, "status.json showing diagnostics on", player);
        var status = player.Status()!.Value;
        Assert.True(status.GetProperty("diagnosticsEnabled").GetBoolean(), status.ToString());
        Assert.Equal(LogLevels.Debug, status.GetProperty("logLevel").GetString());
        var until = DateTimeOffset.Parse(status.GetProperty("diagnosticsUntilUtc").GetString()!, CultureInfo.InvariantCulture);
        await WaitUntilAsync(() => player.Output.Any(l => l.Contains("dbug:", StringComparison.Ordinal) && l.Contains("Showing", StringComparison.Ordinal)),
            "a debug line while diagnostics are on", player);
        await WaitUntilAsync(() => player.Status()?.GetProperty("diagnosticsEnabled").GetBoolean() == false, "diagnostics off by themselves", player);
        Assert.True(DateTimeOffset.UtcNow >= until.AddMilliseconds(-200), $"diagnostics ended before {until:O}");
        Assert.Equal(LogLevels.Warning, player.Status()!.Value.GetProperty("logLevel").GetString());
        await Task.Delay(500); // lines logged just before the switch may still be on their way to the pipe
        var linesAtEnd = player.Output.Count;

        // CLEAR_CACHE_ALL: the files came back and the screen plays on; nothing below WARNING is logged any more.
        await WaitForMoreContentFramesAsync(player, 3);
        Assert.DoesNotContain(player.Output.Skip(linesAtEnd), l => l.Contains("dbug:", StringComparison.Ordinal) || l.Contains("info:", StringComparison.Ordinal));
        await WaitUntilAsync(() => sent.All(s => Appliance.Events(deviceId).Any(e => e.EventType == EventTypes.CommandExecuted && e.PayloadJson.Contains(s.Id, StringComparison.Ordinal))),
            "a COMMAND_EXECUTED event for each command", player, CommandPatience); // event uploads are paced (6 a minute)

        // REBOOT_APP: acknowledged, then the process exits 75 for its supervisor to start it again, which keeps the level.
        var reboot = await SendAsync(deviceId, CommandTypes.RebootApp, null);
        await WaitUntilAsync(() => player.ExitCode is not null, "the player exiting after REBOOT_APP", player, CommandPatience);
        Assert.Equal(75, player.ExitCode);
        Assert.Equal("SUCCEEDED", Commands(deviceId).Single(c => c.CommandId == reboot).Status);
        var restarted = StartPlayer();
        await WaitForMoreContentFramesAsync(restarted, 2);
        Assert.Equal(LogLevels.Warning, restarted.Status()!.Value.GetProperty("logLevel").GetString());
    }

    private async Task<string> SendAsync(string deviceId, string type, string? parameters)
    {
        var body = parameters is null ? $$"""{"commandType":"{{type}}"}""" : $$"""{"commandType":"{{type}}","parameters":{{parameters}}}""";
        var response = await Appliance.SendAsync(HttpMethod.Post, $"/v1/venues/{Appliance.VenueId}/devices/{deviceId}/commands",
            new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{type}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.CommandResponse))!.CommandId;
    }

    private List<CommandResponse> Commands(string deviceId)
    {
        var response = Appliance.SendAsync(HttpMethod.Get, $"/v1/venues/{Appliance.VenueId}/devices/{deviceId}/commands").GetAwaiter().GetResult();
        return [.. response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ItemsResponseCommandResponse).GetAwaiter().GetResult()!.Items];
    }
}

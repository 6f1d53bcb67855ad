using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Signage.Contracts;
using Signage.Player.Core.Api;
using Signage.Player.Core.Commands;
using Signage.Player.Core.Diagnostics;
using Signage.Player.Core.Manifests;
using Signage.Player.Core.Telemetry;
using static Signage.Contracts.PlayerProtocol;

namespace Signage.Player.Core.Tests;

/// <summary>The support commands of spec 28.7 by their names, as the core runs them.</summary>
public sealed class CommandTests
{
    private static readonly DateTimeOffset T = TestManifests.Start;

    public static TheoryData<string> CommandNames() => [.. CommandTypes.All];

    private static JsonElement? ValidParameters(string type) => type switch
    {
        CommandTypes.SetLogLevel => JsonDocument.Parse("""{"level":"WARNING"}""").RootElement,
        CommandTypes.EnableDiagnostics => JsonDocument.Parse("""{"durationSeconds":600}""").RootElement,
        _ => null,
    };

    private static PlayerCommand Command(string type, JsonElement? parameters = null) =>
        new("cmd-" + type, type, TestManifests.Utc(T), TestManifests.Utc(T.AddHours(1)), parameters ?? ValidParameters(type));

    [Theory]
    [MemberData(nameof(CommandNames))]
    public void Every_spec_command_name_runs_its_own_action_and_succeeds(string type)
    {
        using var h = new CoreHarness();
        var target = new RecordingTarget(h.Clock);

        var (status, message) = new CommandExecutor(target, h.Events, h.Clock).Execute(Command(type));

        Assert.Equal(CommandStatuses.Succeeded, status);
        Assert.Equal([type], target.Calls);
        Assert.False(string.IsNullOrEmpty(message));
        Assert.Equal([EventTypes.CommandExecuted], h.EventTypes());
    }

    [Theory]
    [InlineData("REFRESH_MANIFEST")]
    [InlineData("RESTART_PLAYBACK")]
    [InlineData("CLEAR_UNUSED_CACHE")]
    [InlineData("CLEAR_ALL_CACHE")]
    [InlineData("RESTART_APP")]
    public void An_old_command_name_is_not_run_and_fails_as_unknown(string oldName)
    {
        using var h = new CoreHarness();
        var target = new RecordingTarget(h.Clock);

        var (status, message) = new CommandExecutor(target, h.Events, h.Clock).Execute(Command(oldName));

        Assert.Equal((CommandStatuses.Failed, $"unknown command type {oldName}"), (status, message));
        Assert.Empty(target.Calls);
        Assert.Equal("UNKNOWN_COMMAND", h.Queue.Peek(10).Single().Payload!.Value.GetProperty("reason").GetString());
    }

    [Theory]
    [InlineData(CommandTypes.SetLogLevel, null)]
    [InlineData(CommandTypes.SetLogLevel, """{"level":"LOUD"}""")]
    [InlineData(CommandTypes.SetLogLevel, """{"level":3}""")]
    [InlineData(CommandTypes.EnableDiagnostics, null)]
    [InlineData(CommandTypes.EnableDiagnostics, """{"durationSeconds":0}""")]
    [InlineData(CommandTypes.EnableDiagnostics, """{"durationSeconds":86401}""")]
    [InlineData(CommandTypes.EnableDiagnostics, """{"durationSeconds":"600"}""")]
    public void A_command_with_a_missing_or_invalid_parameter_fails_without_running(string type, string? parameters)
    {
        using var h = new CoreHarness();
        var target = new RecordingTarget(h.Clock);
        var command = Command(type) with { Parameters = parameters is null ? null : JsonDocument.Parse(parameters).RootElement };

        var (status, _) = new CommandExecutor(target, h.Events, h.Clock).Execute(command);

        Assert.Equal(CommandStatuses.Failed, status);
        Assert.Empty(target.Calls);
        Assert.Equal("INVALID_PARAMETERS", h.Queue.Peek(10).Single().Payload!.Value.GetProperty("reason").GetString());
    }

    [Theory]
    [InlineData(LogLevels.Trace, LogLevel.Trace)]
    [InlineData(LogLevels.Debug, LogLevel.Debug)]
    [InlineData(LogLevels.Info, LogLevel.Information)]
    [InlineData(LogLevels.Warning, LogLevel.Warning)]
    [InlineData(LogLevels.Error, LogLevel.Error)]
    public async Task Set_log_level_moves_the_hosts_log_filter_and_survives_a_restart(string level, LogLevel expected)
    {
        using var h = new CoreHarness();
        h.Appliance.Commands.Add(Command(CommandTypes.SetLogLevel, JsonDocument.Parse($$"""{"level":"{{level}}"}""").RootElement));
        var filter = new LogLevelSwitch();
        var (player, run, stop) = Start(h, filter);

        await h.Clock.UntilAsync(() => !h.Appliance.CommandResults.IsEmpty);
        await StopAsync(stop, run);
        Assert.Equal((level, false), (player.Status().LogLevel, player.Status().DiagnosticsEnabled));
        player.Dispose();

        Assert.Equal(CommandStatuses.Succeeded, h.Appliance.CommandResults.Single().Result.Status);
        Assert.Equal(expected, filter.Minimum);
        Assert.Equal(expected is LogLevel.Trace or LogLevel.Debug, filter.IsEnabled(LogLevel.Debug));
        Assert.Equal(expected != LogLevel.Error, filter.IsEnabled(LogLevel.Warning));

        // REBOOT_APP: a new player on the same data keeps the level.
        var again = new LogLevelSwitch();
        using var restarted = NewPlayer(h, again);
        Assert.Equal(expected, again.Minimum);
    }

    [Fact]
    public async Task Enable_diagnostics_turns_debug_logging_on_for_its_duration_then_off_by_itself()
    {
        using var h = new CoreHarness();
        h.Appliance.Commands.Add(Command(CommandTypes.EnableDiagnostics, JsonDocument.Parse("""{"durationSeconds":600}""").RootElement));
        var filter = new LogLevelSwitch();
        var (player, run, stop) = Start(h, filter);

        await h.Clock.UntilAsync(() => !h.Appliance.CommandResults.IsEmpty);
        var ranAt = h.Clock.GetUtcNow();
        var status = player.Status();
        Assert.Equal((true, LogLevels.Debug), (status.DiagnosticsEnabled, status.LogLevel));
        var until = DateTimeOffset.Parse(status.DiagnosticsUntilUtc!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(until - ranAt, TimeSpan.FromSeconds(599), TimeSpan.FromSeconds(600));
        Assert.Contains("diagnostics on for 600 s", h.Appliance.CommandResults.Single().Result.Message);
        Assert.True(filter.IsEnabled(LogLevel.Debug));

        h.Clock.Advance(until - h.Clock.GetUtcNow() - TimeSpan.FromSeconds(1));
        Assert.True(player.Status().DiagnosticsEnabled);
        h.Clock.Advance(TimeSpan.FromSeconds(1));
        status = player.Status();
        Assert.Equal((false, LogLevels.Info, (string?)null), (status.DiagnosticsEnabled, status.LogLevel, status.DiagnosticsUntilUtc));
        Assert.False(filter.IsEnabled(LogLevel.Debug));

        await StopAsync(stop, run);
        player.Dispose();
    }

    [Fact]
    public void Diagnostics_still_on_at_a_restart_end_at_their_deadline_and_a_passed_one_is_over()
    {
        using var h = new CoreHarness();
        using (var before = new PlayerLogLevel(h.Database, h.Clock, new LogLevelSwitch()))
        {
            before.EnableDiagnostics(TimeSpan.FromMinutes(10));
        }

        h.Clock.Advance(TimeSpan.FromMinutes(4));
        var filter = new LogLevelSwitch();
        using (var after = new PlayerLogLevel(h.Database, h.Clock, filter))
        {
            Assert.Equal((true, LogLevel.Debug), (after.DiagnosticsEnabled, filter.Minimum));
            h.Clock.Advance(TimeSpan.FromMinutes(6));
            Assert.Equal((false, LogLevel.Information), (after.DiagnosticsEnabled, filter.Minimum));
        }

        using var later = new PlayerLogLevel(h.Database, h.Clock, filter);
        Assert.False(later.DiagnosticsEnabled);
    }

    private static PlayerCoordinator NewPlayer(CoreHarness h, LogLevelSwitch filter) =>
        new(h.Options, new PlayerDependencies(new RecordingScreen(h.Clock), new ConfiguredApplianceLocator(FakeAppliance.BaseAddress), h.Clock,
            NullLoggerFactory.Instance, h.Appliance, new Random(7), filter));

    private static (PlayerCoordinator Player, Task<PlayerExit> Run, CancellationTokenSource Stop) Start(CoreHarness h, LogLevelSwitch filter)
    {
        var a = TestAsset.Image("a");
        h.Store.Stage(LoadedManifest.From(TestManifests.Single("e:1", TestManifests.Playlist("pl", a))));
        h.Store.ApplyStaged();
        h.Cached(a);
        h.Appliance.Manifest = TestManifests.Single("e:1", TestManifests.Playlist("pl", a));
        var player = NewPlayer(h, filter);
        var stop = new CancellationTokenSource();
        return (player, player.RunAsync(stop.Token), stop);
    }

    private static async Task StopAsync(CancellationTokenSource stop, Task<PlayerExit> run)
    {
        await stop.CancelAsync();
        Assert.Equal(PlayerExit.Stopped, await run);
        stop.Dispose();
    }

    /// <summary>Records which action each command asked for.</summary>
    private sealed class RecordingTarget(TimeProvider clock) : ICommandTarget
    {
        public List<string> Calls { get; } = [];

        public void RefreshManifest() => Calls.Add(CommandTypes.RequestManifestRefresh);

        public void RestartPlayback() => Calls.Add(CommandTypes.RestartPlaybackLoop);

        public int ClearUnusedCache()
        {
            Calls.Add(CommandTypes.ClearCacheUnused);
            return 0;
        }

        public int ClearAllCache()
        {
            Calls.Add(CommandTypes.ClearCacheAll);
            return 0;
        }

        public void RestartApp() => Calls.Add(CommandTypes.RebootApp);

        public void SetLogLevel(LogLevel level) => Calls.Add(CommandTypes.SetLogLevel);

        public DateTimeOffset EnableDiagnostics(TimeSpan duration)
        {
            Calls.Add(CommandTypes.EnableDiagnostics);
            return clock.GetUtcNow() + duration;
        }
    }
}

using System.Globalization;
using System.Text.Json;
using Signage.Contracts;
using Signage.Player.Core.Storage;
using Signage.Player.Core.Telemetry;
using static Signage.Contracts.PlayerProtocol;

namespace Signage.Player.Core.Commands;

/// <summary>Runs one support command (spec 18, 28.7) against the player and says how it went. Spec 28.7's
/// alternative names (REQUEST_MANIFEST_REFRESH, REBOOT_APP…) are accepted too.</summary>
public sealed class CommandExecutor(ICommandTarget target, EventRecorder events, TimeProvider clock)
{
    public (string Status, string Message) Execute(PlayerCommand command)
    {
        if (UtcText.TryParse(command.ExpiresAtUtc, out var expires) && expires < clock.GetUtcNow())
        {
            events.CommandFailed(command.CommandId, command.CommandType, "EXPIRED");
            return (CommandStatuses.Expired, $"expired at {command.ExpiresAtUtc}");
        }

        string message;
        try
        {
            message = Run(command);
        }
        catch (UnknownCommandException)
        {
            events.CommandFailed(command.CommandId, command.CommandType, "UNKNOWN_COMMAND");
            return (CommandStatuses.Failed, $"unknown command type {command.CommandType}");
        }
#pragma warning disable CA1031 // A command that fails is reported as failed; the player carries on.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            events.CommandFailed(command.CommandId, command.CommandType, ex.Message);
            return (CommandStatuses.Failed, ex.Message);
        }

        events.CommandExecuted(command.CommandId, command.CommandType);
        return (CommandStatuses.Succeeded, message);
    }

    private string Run(PlayerCommand command)
    {
        switch (command.CommandType)
        {
            case CommandTypes.RefreshManifest or "REQUEST_MANIFEST_REFRESH":
                target.RefreshManifest();
                return "manifest check started";
            case CommandTypes.RestartPlayback or "RESTART_PLAYBACK_LOOP":
                target.RestartPlayback();
                return "playback restarts from the first item";
            case CommandTypes.ClearUnusedCache or "CLEAR_CACHE_UNUSED":
                return string.Create(CultureInfo.InvariantCulture, $"{target.ClearUnusedCache()} unused files removed");
            case CommandTypes.ClearAllCache or "CLEAR_CACHE_ALL":
                return string.Create(CultureInfo.InvariantCulture, $"{target.ClearAllCache()} files removed; downloading again");
            case CommandTypes.RestartApp or "REBOOT_APP":
                target.RestartApp();
                return "restarting";
            case CommandTypes.EnableDiagnostics or "SET_LOG_LEVEL":
                var minutes = Minutes(command.Parameters) ?? 60;
                target.EnableDiagnostics(TimeSpan.FromMinutes(minutes));
                return string.Create(CultureInfo.InvariantCulture, $"diagnostics on for {minutes} minutes");
            default:
                throw new UnknownCommandException();
        }
    }

    private static int? Minutes(JsonElement? parameters) =>
        parameters is { ValueKind: JsonValueKind.Object } p && p.TryGetProperty("durationMinutes", out var d) && d.TryGetInt32(out var m) && m > 0
            ? m
            : null;

    private sealed class UnknownCommandException : Exception;
}

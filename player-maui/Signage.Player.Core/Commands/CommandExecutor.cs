using System.Globalization;
using System.Text.Json;
using Signage.Contracts;
using Signage.Player.Core.Diagnostics;
using Signage.Player.Core.Storage;
using Signage.Player.Core.Telemetry;
using static Signage.Contracts.PlayerProtocol;

namespace Signage.Player.Core.Commands;

/// <summary>Runs one support command (spec 18, 28.7: the names of <see cref="CommandTypes"/>) against the player
/// and says how it went. A command with parameters it cannot use fails and is never half run.</summary>
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
        catch (InvalidParametersException ex)
        {
            events.CommandFailed(command.CommandId, command.CommandType, "INVALID_PARAMETERS");
            return (CommandStatuses.Failed, ex.Message);
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
            case CommandTypes.RequestManifestRefresh:
                target.RefreshManifest();
                return "manifest check started";
            case CommandTypes.RestartPlaybackLoop:
                target.RestartPlayback();
                return "playback restarts from the first item";
            case CommandTypes.ClearCacheUnused:
                return string.Create(CultureInfo.InvariantCulture, $"{target.ClearUnusedCache()} unused files removed");
            case CommandTypes.ClearCacheAll:
                return string.Create(CultureInfo.InvariantCulture, $"{target.ClearAllCache()} files removed; downloading again");
            case CommandTypes.RebootApp:
                target.RestartApp();
                return "restarting";
            case CommandTypes.SetLogLevel:
                var name = Parameter(command, CommandParameters.Level) is { ValueKind: JsonValueKind.String } l ? l.GetString() : null;
                var level = PlayerLogLevel.Parse(name)
                    ?? throw new InvalidParametersException($"parameters.level is one of {string.Join(", ", LogLevels.All)}, not '{name}'");
                target.SetLogLevel(level);
                return $"log level {name}";
            case CommandTypes.EnableDiagnostics:
                var seconds = Parameter(command, CommandParameters.DurationSeconds) is { ValueKind: JsonValueKind.Number } d && d.TryGetInt32(out var s)
                    && s is >= CommandParameters.MinDiagnosticsSeconds and <= CommandParameters.MaxDiagnosticsSeconds
                        ? s
                        : throw new InvalidParametersException(string.Create(CultureInfo.InvariantCulture,
                            $"parameters.durationSeconds is whole seconds from {CommandParameters.MinDiagnosticsSeconds} to {CommandParameters.MaxDiagnosticsSeconds}"));
                var until = target.EnableDiagnostics(TimeSpan.FromSeconds(seconds));
                return string.Create(CultureInfo.InvariantCulture, $"diagnostics on for {seconds} s, until {UtcText.Format(until)}");
            default:
                throw new UnknownCommandException();
        }
    }

    private static JsonElement? Parameter(PlayerCommand command, string name) =>
        command.Parameters is { ValueKind: JsonValueKind.Object } p && p.TryGetProperty(name, out var value) ? value : null;

    private sealed class InvalidParametersException(string message) : Exception(message);

    private sealed class UnknownCommandException : Exception;
}

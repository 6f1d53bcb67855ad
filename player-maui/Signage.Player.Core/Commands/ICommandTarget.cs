using Microsoft.Extensions.Logging;

namespace Signage.Player.Core.Commands;

/// <summary>What a support command can ask of the player (spec 18); the coordinator implements it.</summary>
public interface ICommandTarget
{
    void RefreshManifest();

    void RestartPlayback();

    int ClearUnusedCache();

    int ClearAllCache();

    /// <summary>Asks the host to restart the app once the result is reported.</summary>
    void RestartApp();

    void SetLogLevel(LogLevel level);

    /// <summary>Verbose logging until the returned moment; it turns itself off then.</summary>
    DateTimeOffset EnableDiagnostics(TimeSpan duration);
}

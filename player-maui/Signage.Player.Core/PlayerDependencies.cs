using Microsoft.Extensions.Logging;
using Signage.Player.Core.Api;
using Signage.Player.Core.Diagnostics;
using Signage.Player.Core.Playback;

namespace Signage.Player.Core;

/// <summary>What a head plugs into the core. Tests pass a fake clock and an HttpMessageHandler that
/// answers like the appliance; heads pass the system clock and nothing else.</summary>
/// <param name="HttpHandler">Null: a SocketsHttpHandler.</param>
/// <param name="Random">Jitter source; seed it in tests.</param>
/// <param name="LogLevel">The switch the head's log filter reads; SET_LOG_LEVEL and ENABLE_DIAGNOSTICS move it.</param>
public sealed record PlayerDependencies(IPlayerScreen Screen, IApplianceLocator Locator, TimeProvider Clock, ILoggerFactory Loggers,
    HttpMessageHandler? HttpHandler = null, Random? Random = null, LogLevelSwitch? LogLevel = null);

public enum PlayerExit
{
    /// <summary>Cancelled by the host (SIGTERM, app closing).</summary>
    Stopped,
    /// <summary>A REBOOT_APP command: the host should start the player again.</summary>
    RestartRequested,
}

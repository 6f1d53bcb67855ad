using Microsoft.Extensions.Logging;

namespace Signage.Player.Core.Diagnostics;

/// <summary>The level the host's log filter reads. The core sets it (SET_LOG_LEVEL, ENABLE_DIAGNOSTICS);
/// a head passes one in <see cref="PlayerDependencies"/> and filters with <see cref="IsEnabled"/>.</summary>
public sealed class LogLevelSwitch
{
    private volatile int _minimum = (int)LogLevel.Information;

    public LogLevel Minimum
    {
        get => (LogLevel)_minimum;
        internal set => _minimum = (int)value;
    }

    public bool IsEnabled(LogLevel level) => level != LogLevel.None && level >= Minimum;
}

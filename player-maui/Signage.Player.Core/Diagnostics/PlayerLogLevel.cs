using Microsoft.Extensions.Logging;
using Signage.Player.Core.Storage;
using static Signage.Contracts.PlayerProtocol;

namespace Signage.Player.Core.Diagnostics;

/// <summary>SET_LOG_LEVEL and ENABLE_DIAGNOSTICS (spec 28.7, 18). The level set stays until the next one;
/// diagnostics lower it to Debug until their deadline and then end by themselves, on the injected clock.
/// Both are kept in player_state, so REBOOT_APP keeps them, and a deadline that passed while the app was
/// down is simply over.</summary>
public sealed class PlayerLogLevel : IDisposable
{
    private const string LevelKey = "log_level"; // stored as LogLevel + 1; 0 means never set
    private const string DiagnosticsKey = "diagnostics_until_ticks";

    private readonly PlayerDatabase _database;
    private readonly TimeProvider _clock;
    private readonly LogLevelSwitch _target;
    private readonly Lock _gate = new();
    private ITimer? _diagnosticsEnd;

    public PlayerLogLevel(PlayerDatabase database, TimeProvider clock, LogLevelSwitch target)
    {
        (_database, _clock, _target) = (database, clock, target);
        var stored = database.GetValue(LevelKey);
        Level = stored > 0 ? (LogLevel)(stored - 1) : LogLevel.Information;
        var until = database.GetValue(DiagnosticsKey);
        if (until > 0 && new DateTimeOffset(until, TimeSpan.Zero) is var deadline && deadline > clock.GetUtcNow())
        {
            StartDiagnostics(deadline);
        }

        Apply();
    }

    /// <summary>Raised after the level or the diagnostics changed (on the timer's thread when diagnostics end).</summary>
    public event Action? Changed;

    /// <summary>The level SET_LOG_LEVEL chose (Information until one does).</summary>
    public LogLevel Level { get; private set; }

    /// <summary>When the diagnostics turn themselves off; null while they are off.</summary>
    public DateTimeOffset? DiagnosticsUntil { get; private set; }

    public bool DiagnosticsEnabled => DiagnosticsUntil is not null;

    public LogLevel Effective => _target.Minimum;

    public void Set(LogLevel level)
    {
        lock (_gate)
        {
            Level = level;
            _database.Write(c => c.InsertOrReplace(new StateValueRow { Key = LevelKey, Value = (long)level + 1 }));
            Apply();
        }

        Changed?.Invoke();
    }

    /// <summary>Turns diagnostics on until now + <paramref name="duration"/> (a later command moves the deadline).</summary>
    public DateTimeOffset EnableDiagnostics(TimeSpan duration)
    {
        DateTimeOffset until;
        lock (_gate)
        {
            until = _clock.GetUtcNow() + duration;
            _database.Write(c => c.InsertOrReplace(new StateValueRow { Key = DiagnosticsKey, Value = until.UtcTicks }));
            StartDiagnostics(until);
            Apply();
        }

        Changed?.Invoke();
        return until;
    }

    private void StartDiagnostics(DateTimeOffset until)
    {
        DiagnosticsUntil = until;
        _diagnosticsEnd?.Dispose();
        _diagnosticsEnd = _clock.CreateTimer(_ => EndDiagnostics(until), null, until - _clock.GetUtcNow(), Timeout.InfiniteTimeSpan);
    }

    private void EndDiagnostics(DateTimeOffset until)
    {
        lock (_gate)
        {
            if (DiagnosticsUntil != until)
            {
                return; // a later ENABLE_DIAGNOSTICS moved the deadline
            }

            DiagnosticsUntil = null;
            _database.Write(c => c.InsertOrReplace(new StateValueRow { Key = DiagnosticsKey, Value = 0 }));
            Apply();
        }

        Changed?.Invoke();
    }

    private void Apply() => _target.Minimum = DiagnosticsEnabled && Level > LogLevel.Debug ? LogLevel.Debug : Level;

    /// <summary>SET_LOG_LEVEL's wire names (<see cref="LogLevels"/>) to and from the logging library's levels.</summary>
    public static LogLevel? Parse(string? name) => name switch
    {
        LogLevels.Trace => LogLevel.Trace,
        LogLevels.Debug => LogLevel.Debug,
        LogLevels.Info => LogLevel.Information,
        LogLevels.Warning => LogLevel.Warning,
        LogLevels.Error => LogLevel.Error,
        _ => null,
    };

    public static string Name(LogLevel level) => level switch
    {
        LogLevel.Trace => LogLevels.Trace,
        LogLevel.Debug => LogLevels.Debug,
        LogLevel.Information => LogLevels.Info,
        LogLevel.Warning => LogLevels.Warning,
        _ => LogLevels.Error,
    };

    public void Dispose()
    {
        lock (_gate)
        {
            _diagnosticsEnd?.Dispose();
            _diagnosticsEnd = null;
        }
    }
}

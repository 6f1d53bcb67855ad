namespace Signage.Player.Core.State;

/// <summary>Spec 28.12's transition table, and nothing else: the coordinator fires triggers, this says
/// where they lead. A trigger the table does not know in the current state is refused (false), not
/// thrown: a screen must not crash on an unexpected order of events.</summary>
public sealed class PlayerStateMachine
{
    private static readonly Dictionary<(PlayerState From, PlayerTrigger Trigger), PlayerState> Table = new()
    {
        [(PlayerState.Boot, PlayerTrigger.InitComplete)] = PlayerState.LoadLocal,
        [(PlayerState.LoadLocal, PlayerTrigger.Loaded)] = PlayerState.PlayableCheck,
        [(PlayerState.LoadLocal, PlayerTrigger.NoDeviceToken)] = PlayerState.Unregistered,
        [(PlayerState.PlayableCheck, PlayerTrigger.PlayableFound)] = PlayerState.Playing,
        [(PlayerState.PlayableCheck, PlayerTrigger.NonePlayable)] = PlayerState.ErrorScreen,
        [(PlayerState.ErrorScreen, PlayerTrigger.ContentRestored)] = PlayerState.Playing,
        [(PlayerState.Playing, PlayerTrigger.PlaybackImpossible)] = PlayerState.PlayableCheck,
        [(PlayerState.Unregistered, PlayerTrigger.Paired)] = PlayerState.PlayableCheck,
    };

    private readonly Lock _gate = new();
    private PlayerState _state = PlayerState.Boot;
    private PlayerActivity _activities;

    /// <summary>(from, to, trigger), raised after each transition.</summary>
    public event Action<PlayerState, PlayerState, PlayerTrigger>? Transitioned;

    public PlayerState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    public PlayerActivity Activities
    {
        get
        {
            lock (_gate)
            {
                return _activities;
            }
        }
    }

    public static PlayerState? Target(PlayerState from, PlayerTrigger trigger) =>
        trigger == PlayerTrigger.TokenInvalid && from != PlayerState.Unregistered ? PlayerState.Unregistered  // "Any → UNREGISTERED"
        : Table.TryGetValue((from, trigger), out var to) ? to
        : null;

    public bool Fire(PlayerTrigger trigger)
    {
        PlayerState from;
        PlayerState to;
        lock (_gate)
        {
            from = _state;
            if (Target(from, trigger) is not { } target)
            {
                return false;
            }

            to = target;
            _state = to;
        }

        Transitioned?.Invoke(from, to, trigger);
        return true;
    }

    public void Begin(PlayerActivity activity)
    {
        lock (_gate)
        {
            _activities |= activity;
        }
    }

    public void End(PlayerActivity activity)
    {
        lock (_gate)
        {
            _activities &= ~activity;
        }
    }
}

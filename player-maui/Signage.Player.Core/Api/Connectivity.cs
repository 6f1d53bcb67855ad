using Signage.Player.Core.Telemetry;

namespace Signage.Player.Core.Api;

/// <summary>Online means "the appliance answered HTTP lately". Emits OFFLINE_ENTERED / ONLINE_RESTORED
/// once per transition (spec 28.6), whichever loop notices first.</summary>
public sealed class Connectivity(EventRecorder events, TimeProvider clock)
{
    private readonly Lock _gate = new();
    private bool? _online;
    private DateTimeOffset? _lastContact;
    private DateTimeOffset _offlineSince;

    public bool IsOnline
    {
        get
        {
            lock (_gate)
            {
                return _online == true;
            }
        }
    }

    public DateTimeOffset? LastContactUtc
    {
        get
        {
            lock (_gate)
            {
                return _lastContact;
            }
        }
    }

    public event Action? Changed;

    public void Reachable()
    {
        bool restored;
        TimeSpan offlineFor;
        lock (_gate)
        {
            var now = clock.GetUtcNow();
            restored = _online == false;
            offlineFor = now - _offlineSince;
            _online = true;
            _lastContact = now;
        }

        if (restored)
        {
            events.OnlineRestored(offlineFor);
            Changed?.Invoke();
        }
    }

    public void Unreachable()
    {
        DateTimeOffset? lastContact;
        lock (_gate)
        {
            if (_online == false)
            {
                return;
            }

            _online = false;
            _offlineSince = clock.GetUtcNow();
            lastContact = _lastContact;
        }

        events.OfflineEntered(lastContact);
        Changed?.Invoke();
    }
}

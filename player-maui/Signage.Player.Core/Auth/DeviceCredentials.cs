namespace Signage.Player.Core.Auth;

/// <summary>The device token in use and the count of 401s in a row. After <c>limit</c> of them the token
/// is deleted (spec 28.10) and <see cref="Invalidated"/> fires; one success resets the count, so a single
/// stray 401 (an appliance restarting with a new key, say) does not unpair a screen.</summary>
public sealed class DeviceCredentials(DeviceTokenStore store, int limit)
{
    private readonly Lock _gate = new();
    private StoredDeviceToken? _token;
    private int _unauthorizedInARow;

    /// <summary>Raised once when the token is thrown away; the argument is the last HTTP status.</summary>
    public event Action<int>? Invalidated;

    /// <summary>Raised when a new token arrives from pairing.</summary>
    public event Action? Paired;

    public string? Token
    {
        get
        {
            lock (_gate)
            {
                return _token?.DeviceToken;
            }
        }
    }

    public bool HasToken => Token is not null;

    public int UnauthorizedInARow
    {
        get
        {
            lock (_gate)
            {
                return _unauthorizedInARow;
            }
        }
    }

    public void Load()
    {
        lock (_gate)
        {
            _token = store.Load();
            _unauthorizedInARow = 0;
        }
    }

    public void Store(StoredDeviceToken token)
    {
        store.Save(token);
        lock (_gate)
        {
            _token = token;
            _unauthorizedInARow = 0;
        }

        Paired?.Invoke();
    }

    public void Authorized()
    {
        lock (_gate)
        {
            _unauthorizedInARow = 0;
        }
    }

    /// <summary>Counts a 401 made with <paramref name="tokenUsed"/>; a 401 for a token already replaced is ignored.</summary>
    public void Unauthorized(string tokenUsed)
    {
        lock (_gate)
        {
            if (_token?.DeviceToken != tokenUsed)
            {
                return;
            }

            _unauthorizedInARow++;
            if (_unauthorizedInARow < limit)
            {
                return;
            }

            _token = null;
            _unauthorizedInARow = 0;
            store.Delete();
        }

        Invalidated?.Invoke(401);
    }
}

namespace Signage.Player.Core.Playback;

/// <summary>Deterministic ordered rotation (spec 9, 33.10): a playlist starts at its first item whenever it
/// (or its version) comes into force, then goes round in order — the same on every screen.</summary>
public sealed class PlaylistRotation
{
    private string? _key;
    private int _next;

    /// <summary>Complete loops of the current playlist (heartbeat playback.loopCount).</summary>
    public int LoopCount { get; private set; }

    /// <summary>Where to start looking for the next item of the playlist identified by <paramref name="key"/>
    /// (a look only: probing another playlist does not lose this one's place).</summary>
    public int NextIndex(string key, int count) => key != _key || count == 0 ? 0 : _next % count;

    /// <summary>The item at <paramref name="index"/> of playlist <paramref name="key"/> went on screen.</summary>
    public void Played(string key, int index, int count)
    {
        if (key != _key)
        {
            _key = key;
            LoopCount = 0;
        }

        _next = index + 1;
        if (_next >= count)
        {
            _next = 0;
            LoopCount++;
        }
    }

    public void Reset()
    {
        _key = null;
        _next = 0;
        LoopCount = 0;
    }
}

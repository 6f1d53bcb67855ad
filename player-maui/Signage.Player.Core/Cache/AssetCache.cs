using Signage.Player.Core.Storage;
using Signage.Player.Core.Telemetry;

namespace Signage.Player.Core.Cache;

public enum AssetAvailability
{
    Ready,
    /// <summary>Never downloaded (or forgotten): the download queue will bring it.</summary>
    NotCached,
    /// <summary>The index says we have it, the disk disagrees: ASSET_CORRUPT, then re-download.</summary>
    Corrupt,
}

public sealed record AssetCheck(AssetAvailability Availability, string? Reason = null, long? ActualBytes = null);

/// <summary>The media cache (spec 11, 33.3.5): content-addressed files in media/, an index in SQLite,
/// a byte budget with LRU eviction at 90%, and the rules that keep playback safe: assets of the current
/// and previous manifests are protected, the file on screen is never deleted.</summary>
public sealed class AssetCache
{
    private readonly PlayerDatabase _database;
    private readonly PlayerPaths _paths;
    private readonly EventRecorder _events;
    private readonly TimeProvider _clock;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, CachedAssetRow> _rows;
    private readonly HashSet<string> _deleteWhenOffScreen = [];
    private string? _onScreen;

    public AssetCache(PlayerDatabase database, PlayerPaths paths, EventRecorder events, TimeProvider clock, long budgetBytes)
    {
        _database = database;
        _paths = paths;
        _events = events;
        _clock = clock;
        BudgetBytes = budgetBytes;
        _rows = database.Read(c => c.Table<CachedAssetRow>().ToList()).ToDictionary(r => r.Sha256, StringComparer.Ordinal);
    }

    /// <summary>Hashes no eviction may touch: every asset of the current, previous and staged manifests.</summary>
    public Func<IReadOnlySet<string>> ProtectedHashes { get; set; } = () => new HashSet<string>();

    public long BudgetBytes { get; set; }

    public long UsedBytes
    {
        get
        {
            lock (_gate)
            {
                return _rows.Values.Sum(r => r.SizeBytes);
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _rows.Count;
            }
        }
    }

    public string PathOf(string sha256) => _paths.MediaFile(sha256);

    public bool Contains(string sha256)
    {
        lock (_gate)
        {
            return _rows.ContainsKey(sha256);
        }
    }

    public IReadOnlyList<CachedAssetRow> Snapshot()
    {
        lock (_gate)
        {
            return [.. _rows.Values];
        }
    }

    /// <summary>The cheap check made before every play (seed 000 step 4): the file exists and has the
    /// manifest's size. The full hash runs after download and at boot.</summary>
    public AssetCheck Check(string sha256, long expectedBytes)
    {
        lock (_gate)
        {
            if (!_rows.ContainsKey(sha256) || _deleteWhenOffScreen.Contains(sha256))
            {
                return new AssetCheck(AssetAvailability.NotCached);
            }
        }

        var file = new FileInfo(PathOf(sha256));
        if (!file.Exists)
        {
            return new AssetCheck(AssetAvailability.Corrupt, "FILE_MISSING");
        }

        return file.Length == expectedBytes
            ? new AssetCheck(AssetAvailability.Ready)
            : new AssetCheck(AssetAvailability.Corrupt, "SIZE_MISMATCH", file.Length);
    }

    /// <summary>Indexes a file that is already in place and verified.</summary>
    public void Add(string sha256, string assetId, long sizeBytes)
    {
        var now = _clock.GetUtcNow().UtcTicks;
        var row = new CachedAssetRow { Sha256 = sha256, AssetId = assetId, SizeBytes = sizeBytes, LastUsedTicks = now, VerifiedTicks = now };
        _database.Write(c => c.InsertOrReplace(row));
        lock (_gate)
        {
            _rows[sha256] = row;
            _deleteWhenOffScreen.Remove(sha256);
        }
    }

    /// <summary>A download of <paramref name="sha256"/> is about to start: a damaged copy still on screen is
    /// replaced by the rename at its end, so it must no longer be deleted when it leaves the screen (that
    /// delete could otherwise hit the fresh file; found end to end).</summary>
    public void KeepWhenOffScreen(string sha256)
    {
        lock (_gate)
        {
            _deleteWhenOffScreen.Remove(sha256);
        }
    }

    public void MarkVerified(string sha256) => Update(sha256, row => row.VerifiedTicks = _clock.GetUtcNow().UtcTicks);

    /// <summary>Called when an asset goes on screen: it becomes the most recently used and undeletable.</summary>
    public void PutOnScreen(string? sha256)
    {
        string[] release;
        lock (_gate)
        {
            _onScreen = sha256;
            release = [.. _deleteWhenOffScreen.Where(s => s != sha256)];
            // The files go under the lock, so a download that cancels its deferred delete (below) and then
            // writes the file cannot have its fresh copy removed by a stale decision made here.
            foreach (var sha in release)
            {
                _rows.Remove(sha);
                _deleteWhenOffScreen.Remove(sha);
                AtomicFile.TryDelete(PathOf(sha));
            }
        }

        foreach (var sha in release)
        {
            _database.Write(c => c.Delete<CachedAssetRow>(sha));
        }

        if (sha256 is not null)
        {
            Update(sha256, row => row.LastUsedTicks = _clock.GetUtcNow().UtcTicks);
        }
    }

    /// <summary>Removes an asset from the index and disk (a bad file, a cleared cache). The file on screen
    /// is only unindexed now and deleted once something else is shown.</summary>
    public void Forget(string sha256)
    {
        lock (_gate)
        {
            if (sha256 == _onScreen)
            {
                _deleteWhenOffScreen.Add(sha256);
                _rows.Remove(sha256);
                _database.Write(c => c.Delete<CachedAssetRow>(sha256));
                return;
            }
        }

        DeleteNow(sha256);
    }

    /// <summary>Makes room for <paramref name="incomingBytes"/> by LRU eviction (spec 11.2). False means it
    /// cannot fit: the caller pauses downloads until the protected set changes.</summary>
    public bool MakeRoom(long incomingBytes)
    {
        var plan = EvictionPlanner.Decide(Candidates(), incomingBytes, BudgetBytes, ProtectedHashes(), CurrentOnScreen());
        foreach (var victim in plan.Evict)
        {
            Evict(victim, "BUDGET");
        }

        return plan.Fits;
    }

    /// <summary>CLEAR_UNUSED_CACHE: everything no manifest protects.</summary>
    public int ClearUnused()
    {
        var protectedHashes = ProtectedHashes();
        var onScreen = CurrentOnScreen();
        var victims = Candidates().Where(c => !protectedHashes.Contains(c.Sha256) && c.Sha256 != onScreen).ToList();
        victims.ForEach(v => Evict(v, "CLEAR_UNUSED"));
        return victims.Count;
    }

    /// <summary>CLEAR_ALL_CACHE: everything but the file on screen; the download queue refills it.</summary>
    public int ClearAll()
    {
        var onScreen = CurrentOnScreen();
        var victims = Candidates().Where(c => c.Sha256 != onScreen).ToList();
        victims.ForEach(v => Evict(v, "CLEAR_ALL"));
        return victims.Count;
    }

    private void Evict(EvictionPlanner.Candidate victim, string reason)
    {
        DeleteNow(victim.Sha256);
        _events.CacheEviction(new CacheEvictionPayload(victim.AssetId, victim.Sha256, victim.SizeBytes, reason));
    }

    private List<EvictionPlanner.Candidate> Candidates()
    {
        lock (_gate)
        {
            return [.. _rows.Values.Select(r => new EvictionPlanner.Candidate(r.Sha256, r.AssetId, r.SizeBytes, r.LastUsedTicks))];
        }
    }

    private string? CurrentOnScreen()
    {
        lock (_gate)
        {
            return _onScreen;
        }
    }

    private void DeleteNow(string sha256)
    {
        lock (_gate)
        {
            _rows.Remove(sha256);
            _deleteWhenOffScreen.Remove(sha256);
        }

        _database.Write(c => c.Delete<CachedAssetRow>(sha256));
        AtomicFile.TryDelete(PathOf(sha256));
    }

    private void Update(string sha256, Action<CachedAssetRow> change)
    {
        CachedAssetRow? row;
        lock (_gate)
        {
            if (!_rows.TryGetValue(sha256, out row))
            {
                return;
            }

            change(row);
        }

        _database.Write(c => c.Update(row));
    }
}

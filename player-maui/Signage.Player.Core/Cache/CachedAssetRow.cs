using SQLite;

namespace Signage.Player.Core.Cache;

/// <summary>One verified file in media/. A row exists only after the file's hash matched.</summary>
[Table("cached_assets")]
public sealed class CachedAssetRow
{
    /// <summary>Lower-case hex SHA-256: the cache key and the file name.</summary>
    [PrimaryKey]
    public string Sha256 { get; set; } = "";

    /// <summary>The asset id it last arrived as, for events (the same bytes may serve several ids).</summary>
    public string AssetId { get; set; } = "";

    public long SizeBytes { get; set; }

    /// <summary>For LRU: set when downloaded and each time it goes on screen.</summary>
    public long LastUsedTicks { get; set; }

    public long VerifiedTicks { get; set; }
}

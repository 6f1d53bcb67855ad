using SQLite;

namespace Signage.Player.Core.Telemetry;

/// <summary>The play on screen: stored in the same transaction as its PLAY_START, deleted in the same transaction as any
/// PLAY_END. A row found at start-up is a play the player was killed in the middle of (kill -9, a power cut): it is ended
/// then as INTERRUPTED (issue 16), exactly once, instead of never.</summary>
[Table("open_play")]
public sealed class OpenPlayRow
{
    /// <summary>One item is on screen at a time: a single row.</summary>
    [PrimaryKey]
    public int Id { get; set; } = 1;

    public string PlaylistId { get; set; } = "";

    public string AssetId { get; set; } = "";

    public int ItemIndex { get; set; }

    public string StartedAtUtc { get; set; } = "";

    public string? ManifestEtag { get; set; }
}

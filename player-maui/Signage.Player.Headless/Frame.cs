namespace Signage.Player.Headless;

/// <summary>One line of frames.jsonl: what went on screen and when.</summary>
/// <param name="Screen">IMAGE, VIDEO, ERROR_SCREEN or PAIRING.</param>
internal sealed record Frame(string AtUtc, string Screen, string? AssetId = null, string? PlaylistId = null, int? ItemIndex = null,
    int? DurationMs = null, string? Detail = null);

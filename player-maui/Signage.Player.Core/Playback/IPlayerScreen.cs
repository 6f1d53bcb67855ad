namespace Signage.Player.Core.Playback;

/// <summary>What a head must do: render what the core says, report back. The core decides what to show,
/// for how long, and what each outcome means; a head holds no playback logic.</summary>
public interface IPlayerScreen
{
    /// <summary>Puts the still on screen; completes once it is visible (a head loads it into the hidden
    /// view first and swaps, so the old picture stays until the new one is ready).</summary>
    Task<ShowOutcome> ShowImageAsync(PlayItem item, CancellationToken cancellationToken);

    /// <summary>Starts the video; completes once it is playing.</summary>
    Task<ShowOutcome> StartVideoAsync(PlayItem item, CancellationToken cancellationToken);

    /// <summary>Completes when the video started last has played to its end (or failed).</summary>
    Task<ShowOutcome> WaitForVideoEndAsync(CancellationToken cancellationToken);

    /// <summary>The fallback screen of ERROR_SCREEN: nothing playable is cached.</summary>
    Task ShowErrorScreenAsync(string reason, CancellationToken cancellationToken);

    /// <summary>The pairing screen: the code, and a QR code of <see cref="PairingScreen.QrPayload"/>.</summary>
    Task ShowPairingAsync(PairingScreen pairing, CancellationToken cancellationToken);
}

/// <param name="FilePath">A verified file in the cache; the head only reads it.</param>
/// <param name="DurationMs">For an image, how long the core will keep it up; for a video, the expected length.</param>
public sealed record PlayItem(string AssetId, string Sha256, MediaKind Kind, string FilePath, int DurationMs, string PlaylistId, int ItemIndex,
    int WidthPx, int HeightPx);

public enum MediaKind
{
    Image,
    Video,
}

public sealed record PairingScreen(string Code, string QrPayload, DateTimeOffset ExpiresAtUtc);

public sealed record ShowOutcome(bool Succeeded, string? Error = null)
{
    public static readonly ShowOutcome Ok = new(true);

    public static ShowOutcome Failed(string error) => new(false, error);
}

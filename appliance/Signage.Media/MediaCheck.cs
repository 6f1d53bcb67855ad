namespace Signage.Media;

/// <summary>The verdict on one file. <see cref="Info"/> is filled whenever the file could be read,
/// including when it breaks a limit; it is null for unreadable, unknown or oversized files.</summary>
/// <param name="Detail">One sentence for the venue manager, naming the actual value and the limit.</param>
public sealed record MediaCheck(MediaInfo? Info, MediaFailureReason? Failure, string? Detail)
{
    public bool IsValid => Failure is null;

    internal static MediaCheck Valid(MediaInfo info) => new(info, null, null);

    internal static MediaCheck Fail(MediaFailureReason reason, string detail, MediaInfo? info = null) =>
        new(info, reason, detail);
}

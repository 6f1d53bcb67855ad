namespace Signage.Media;

/// <summary>Why a file is not a valid signage asset. The wire names are fixed by the platform spec.</summary>
/// <remarks>
/// The spec has no reason for frame rate. A video above the frame-rate limit is reported as
/// <see cref="InvalidCodec"/>: the frame rate is an encoding setting, and the fix ("re-export it at
/// 30 fps") is the same kind of fix as for a wrong codec. The detail names the frame rate.
/// </remarks>
public enum MediaFailureReason
{
    /// <summary>Not a JPEG, PNG or MP4 at all.</summary>
    InvalidFormat,

    /// <summary>MP4 whose video is not H.264, whose audio is not AAC, or whose frame rate is too high.</summary>
    InvalidCodec,

    ResolutionExceeded,
    DurationExceeded,
    BitrateExceeded,
    FileSizeExceeded,

    /// <summary>The right format, but truncated or garbled.</summary>
    FileCorrupt,
}

public static class MediaFailureReasons
{
    /// <summary>The spec's name for the reason, e.g. <c>INVALID_FORMAT</c>.</summary>
    public static string ToWireName(this MediaFailureReason r) => r switch
    {
        MediaFailureReason.InvalidFormat => "INVALID_FORMAT",
        MediaFailureReason.InvalidCodec => "INVALID_CODEC",
        MediaFailureReason.ResolutionExceeded => "RESOLUTION_EXCEEDED",
        MediaFailureReason.DurationExceeded => "DURATION_EXCEEDED",
        MediaFailureReason.BitrateExceeded => "BITRATE_EXCEEDED",
        MediaFailureReason.FileSizeExceeded => "FILE_SIZE_EXCEEDED",
        MediaFailureReason.FileCorrupt => "FILE_CORRUPT",
        _ => throw new ArgumentOutOfRangeException(nameof(r), r, "Unknown media failure reason."),
    };
}

namespace Signage.Media;

/// <summary>What the inspector learned from the file's bytes.</summary>
/// <param name="ContentType">image/jpeg, image/png or video/mp4, taken from the bytes.</param>
/// <param name="BitsPerSecond">Video and audio sample bytes × 8 ÷ duration.</param>
/// <param name="VideoCodec">The sample entry four-character code, e.g. <c>avc1</c>.</param>
/// <param name="Width">The displayed width: after EXIF orientation (JPEG) or the track matrix's rotation (MP4).</param>
/// <param name="Height">The displayed height, likewise.</param>
/// <param name="AudioCodec">The audio sample entry code, e.g. <c>mp4a</c>; null when there is no audio.</param>
/// <param name="VideoProfile">The H.264 profile as ffprobe names it, e.g. <c>High</c>; null for other codecs and images.</param>
public sealed record MediaInfo(
    MediaType Type,
    string ContentType,
    int Width,
    int Height,
    TimeSpan? Duration,
    double? FramesPerSecond,
    long? BitsPerSecond,
    string? VideoCodec,
    string? AudioCodec,
    string? VideoProfile = null);

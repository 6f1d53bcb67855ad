namespace Signage.Media;

/// <summary>The limits a file must meet (platform spec §13–14). Screens may be portrait, so the
/// resolution limit is on the long and short side rather than on width and height.</summary>
public sealed record MediaLimits
{
    public static MediaLimits Default { get; } = new();

    public int MaxLongSide { get; init; } = 1920;
    public int MaxShortSide { get; init; } = 1080;
    public double MaxFramesPerSecond { get; init; } = 30;
    public long MaxBitsPerSecond { get; init; } = 10_000_000;
    public TimeSpan MaxDuration { get; init; } = TimeSpan.FromSeconds(120);
    public long MaxImageBytes { get; init; } = 20 * 1024 * 1024;
    public long MaxVideoBytes { get; init; } = 1024L * 1024 * 1024;
}

namespace Signage.Media;

/// <summary>The resolution rule shared by images and video: landscape up to MaxLongSide×MaxShortSide,
/// or the same turned on its side for portrait screens.</summary>
internal static class Resolution
{
    /// <summary>The detail sentence when the size breaks the limit; null when it fits.</summary>
    public static string? Problem(string noun, int width, int height, MediaLimits limits)
    {
        if (Math.Max(width, height) <= limits.MaxLongSide && Math.Min(width, height) <= limits.MaxShortSide)
        {
            return null;
        }

        // Quote the limit in the file's own orientation.
        string maximum = width >= height
            ? Wording.Size(limits.MaxLongSide, limits.MaxShortSide)
            : Wording.Size(limits.MaxShortSide, limits.MaxLongSide);
        return $"{noun} is {Wording.Size(width, height)}; the maximum is {maximum}.";
    }
}

using System.Globalization;

namespace Signage.Media;

/// <summary>Formats values for the one-sentence details. An actual value that broke a limit is given
/// as <c>over</c>: it is rounded as usual, but never down onto the limit, so a file just over never
/// reads as "10 Mbps; the maximum is 10 Mbps". Sizes are binary (KiB, MiB, GiB), as the limits are.</summary>
internal static class Wording
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Size(int width, int height) => string.Create(Invariant, $"{width}×{height}");

    public static string Bytes(long bytes, long? over = null)
    {
        (double unit, string name) = bytes switch
        {
            >= 1L << 30 => (1024.0 * 1024 * 1024, "GiB"),
            >= 1L << 20 => (1024.0 * 1024, "MiB"),
            >= 1L << 10 => (1024.0, "KiB"),
            _ => (1.0, "bytes"),
        };
        return Number(bytes / unit, unit == 1 ? 0 : 1, over / unit) + " " + name;
    }

    /// <summary>"45 s", or "2 min 15 s" from one minute up.</summary>
    public static string Duration(TimeSpan duration, TimeSpan? over = null)
    {
        double seconds = Round(duration.TotalSeconds, 1, over?.TotalSeconds);
        if (seconds < 60)
        {
            return Number(seconds, 1) + " s";
        }

        double minutes = Math.Floor(seconds / 60);
        return string.Create(Invariant, $"{minutes} min ") + Number(seconds - (minutes * 60), 1) + " s";
    }

    public static string Seconds(TimeSpan duration) => Number(duration.TotalSeconds, 1) + " s";

    public static string Fps(double fps, double? over = null) => Number(fps, 2, over) + " fps";

    public static string Mbps(double bitsPerSecond, double? over = null) =>
        Number(bitsPerSecond / 1_000_000, 1, over / 1_000_000) + " Mbps";

    private static string Number(double value, int decimals, double? over = null) =>
        Round(value, decimals, over).ToString(decimals switch { 0 => "0", 1 => "0.#", _ => "0.##" }, Invariant);

    private static double Round(double value, int decimals, double? over)
    {
        double rounded = Math.Round(value, decimals);
        if (over is double limit && rounded <= limit)
        {
            double scale = Math.Pow(10, decimals);
            // The epsilon keeps binary noise (10.000000001) from stepping up twice.
            rounded = Math.Ceiling((value * scale) - 1e-9) / scale;
            rounded = rounded <= limit ? limit + (1 / scale) : rounded;
        }

        return rounded;
    }
}

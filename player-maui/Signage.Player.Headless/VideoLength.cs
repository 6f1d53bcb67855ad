using System.Collections.Concurrent;
using Signage.Media;

namespace Signage.Player.Headless;

/// <summary>How long a video "plays" headless: the manifest's durationMs, else the MP4's own duration
/// (read once per file by Signage.Media, the appliance's upload validator).</summary>
internal static class VideoLength
{
    private static readonly ConcurrentDictionary<string, int> Known = new(StringComparer.Ordinal);

    public static int Milliseconds(string path, int manifestMs) => manifestMs > 0 ? manifestMs : Known.GetOrAdd(path, Read);

    private static int Read(string path) =>
        MediaInspector.Inspect(path).Info?.Duration is { } duration && duration > TimeSpan.Zero ? (int)duration.TotalMilliseconds : 10_000;
}

using System.Text.Json;

namespace Signage.Player.Headless;

/// <summary>frames.jsonl: append-only, one JSON object per line, flushed per line so a test reading the
/// file sees each frame as it happens.</summary>
internal sealed class FrameLog(string path) : IDisposable
{
    private static readonly byte[] NewLine = "\n"u8.ToArray();
    private readonly FileStream _file = new(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
    private readonly Lock _gate = new();

    public void Append(Frame frame)
    {
        var line = JsonSerializer.SerializeToUtf8Bytes(frame, HeadlessJsonContext.Default.Frame);
        lock (_gate)
        {
            _file.Write(line);
            _file.Write(NewLine);
            _file.Flush();
        }
    }

    public void Dispose() => _file.Dispose();
}

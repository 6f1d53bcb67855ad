using System.Globalization;
using System.Text;
using System.Text.Json.Serialization.Metadata;
using System.Text.Json;

namespace Signage.Cli;

/// <summary>Console output: results on stdout (text, or JSON with --json), messages and progress on stderr.</summary>
public static class Terminal
{
    public static void Line(string text = "") => Console.Out.WriteLine(text);

    public static void Note(string text) => Console.Error.WriteLine(text);

    public static void Json<T>(T value, JsonTypeInfo<T> type) => Console.Out.WriteLine(JsonSerializer.Serialize(value, type));

    /// <summary>A password typed at the terminal without echo, or null when stdin is not a terminal.</summary>
    public static string? PromptSecret(string prompt)
    {
        if (Console.IsInputRedirected) return null;
        Console.Error.Write(prompt);
        var secret = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter) break;
            if (key.Key == ConsoleKey.Backspace) { if (secret.Length > 0) secret.Length--; continue; }
            if (!char.IsControl(key.KeyChar)) secret.Append(key.KeyChar);
        }
        Console.Error.WriteLine();
        return secret.ToString();
    }

    public static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.0} GB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.0} MB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 10):0.0} KB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
    };
}

/// <summary>
/// A one-line progress bar on stderr, redrawn at most 10 times a second. Drawn only when stderr is
/// a terminal (a log file or a pipe gets the final summary line only).
/// </summary>
public sealed class ProgressBar(string label, long total)
{
    private const int Width = 30;
    private readonly bool _visible = !Console.IsErrorRedirected;
    private long _done;
    private long _lastDrawTicks;

    public void Advance(long bytes)
    {
        _done += bytes;
        if (!_visible) return;
        var now = Environment.TickCount64;
        if (now - _lastDrawTicks < 100 && _done < total) return;
        _lastDrawTicks = now;
        Draw();
    }

    public void Finish()
    {
        if (!_visible) return;
        Draw();
        Console.Error.WriteLine();
    }

    private void Draw()
    {
        var fraction = total <= 0 ? 1 : Math.Min(1, _done / (double)total);
        var filled = (int)(fraction * Width);
        Console.Error.Write(string.Create(CultureInfo.InvariantCulture,
            $"\r{label} [{new string('#', filled)}{new string(' ', Width - filled)}] {fraction * 100,3:0}% {Terminal.Bytes(_done)} of {Terminal.Bytes(total)}   "));
    }
}

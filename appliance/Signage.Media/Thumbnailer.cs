using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Signage.Media;

/// <summary>
/// Makes 320-pixel-wide JPEG thumbnails with the system's ffmpeg, run as a child process with a time
/// limit. ffmpeg is optional: when it is switched off (<c>SIGNAGE_FFMPEG=none</c>), missing or fails,
/// the asset is READY all the same and its thumbnail is <see cref="PlaceholderSvg"/>.
/// </summary>
public sealed partial class Thumbnailer(string? ffmpegPath, ILogger<Thumbnailer> logger)
{
    public const string EnvironmentVariable = "SIGNAGE_FFMPEG";
    public const int Width = 320;
    public static readonly TimeSpan TimeLimit = TimeSpan.FromSeconds(30);

    /// <summary>Shown for an asset without a thumbnail: a neutral 16:9 frame with a picture glyph.</summary>
    public const string PlaceholderSvg = """
        <svg xmlns="http://www.w3.org/2000/svg" width="320" height="180" viewBox="0 0 320 180"><rect width="320" height="180" fill="#e5e7eb"/><rect x="125" y="55" width="70" height="70" rx="6" fill="none" stroke="#9ca3af" stroke-width="6"/><circle cx="145" cy="78" r="7" fill="#9ca3af"/><path d="M131 118l22-24 14 15 9-9 16 18z" fill="#9ca3af"/></svg>
        """;

    /// <summary>The ffmpeg to run: <c>SIGNAGE_FFMPEG</c> (a path or a name on PATH), default <c>ffmpeg</c>;
    /// <c>none</c> turns thumbnails off.</summary>
    public static string? PathFrom(Func<string, string?> environment) => environment(EnvironmentVariable)?.Trim() switch
    {
        null or "" => "ffmpeg",
        var value when value.Equals("none", StringComparison.OrdinalIgnoreCase) => null,
        var value => value,
    };

    /// <summary>Writes a JPEG thumbnail of <paramref name="input"/> to <paramref name="output"/>; false (and no
    /// output file) when ffmpeg is off, missing, fails or runs out of time.</summary>
    public async Task<bool> TryMakeAsync(string input, MediaInfo media, string output, CancellationToken cancellationToken)
    {
        if (ffmpegPath is null) return false;
        var start = new ProcessStartInfo(ffmpegPath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in Arguments(input, media, output)) start.ArgumentList.Add(argument);

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new Win32Exception("ffmpeg did not start.");
        }
        catch (Win32Exception e)
        {
            LogUnavailable(logger, ffmpegPath, e.Message);
            return false;
        }

        using (process)
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(TimeLimit);
            process.StandardInput.Close();
            var errors = process.StandardError.ReadToEndAsync(CancellationToken.None);
            _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
                File.Delete(output); // its directory exists: the caller chose it
                cancellationToken.ThrowIfCancellationRequested();
                LogFailed(logger, input, $"no result within {TimeLimit.TotalSeconds:0} s");
                return false;
            }
            var made = process.ExitCode == 0 && IsJpeg(output);
            if (!made)
            {
                File.Delete(output); // its directory exists: the caller chose it
                LogFailed(logger, input, $"exit code {process.ExitCode}: {Tail(await errors)}");
            }
            return made;
        }
    }

    /// <summary>One frame, scaled to <see cref="Width"/> wide, as a JPEG. The demuxer is named (the inspector
    /// already knows the format), so no file can make ffmpeg read anything but this one local file. A video's
    /// frame is taken at 1 s, or halfway through a shorter one.</summary>
    internal static IReadOnlyList<string> Arguments(string input, MediaInfo media, string output)
    {
        var arguments = new List<string> { "-nostdin", "-hide_banner", "-loglevel", "error", "-protocol_whitelist", "file" };
        if (media.Type == MediaType.Video)
        {
            var seconds = Math.Min(1.0, (media.Duration ?? TimeSpan.Zero).TotalSeconds / 2);
            arguments.AddRange(["-ss", seconds.ToString("0.###", CultureInfo.InvariantCulture), "-f", "mov"]);
        }
        else
        {
            arguments.AddRange(["-f", media.ContentType == "image/png" ? "png_pipe" : "jpeg_pipe"]);
        }
        arguments.AddRange(["-i", input, "-map", "0:v:0", "-vf", $"scale={Width}:-2", "-frames:v", "1", "-threads", "1",
            "-f", "mjpeg", "-q:v", "5", "-y", output]);
        return arguments;
    }

    private static bool IsJpeg(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            return file.Length > 2 && file.ReadByte() == 0xFF && file.ReadByte() == 0xD8;
        }
        catch (FileNotFoundException)
        {
            return false;
        }
    }

    private static string Tail(string text) => text.Length <= 500 ? text.Trim() : text[^500..].Trim();

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Thumbnails are placeholders: ffmpeg '{Ffmpeg}' could not be started ({Reason}). Install ffmpeg or set SIGNAGE_FFMPEG.")]
    private static partial void LogUnavailable(ILogger logger, string ffmpeg, string reason);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "No thumbnail for {Input}; a placeholder is shown instead: {Reason}")]
    private static partial void LogFailed(ILogger logger, string input, string reason);
}

using System.Globalization;
using Signage.Contracts;
using Signage.Media;

namespace Signage.Appliance.Assets;

/// <summary>What an upload request must satisfy before anything is written.</summary>
public static class UploadRules
{
    public const int MaxFileNameLength = 255;
    public const int MaxDisplayNameLength = 200;

    /// <summary>The largest file any asset may be (a video, spec 14); images are held to their own,
    /// smaller limit when the bytes show what the file is.</summary>
    public static long MaxUploadBytes => MediaLimits.Default.MaxVideoBytes;

    /// <summary>Field errors of a session request (422). A size over <see cref="MaxUploadBytes"/> is not
    /// among them: it is its own answer (413 FILE_SIZE_EXCEEDED).</summary>
    public static Dictionary<string, string[]> Validate(CreateUploadRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (FileNameProblem(request.FileName) is { } fileName) errors["fileName"] = [fileName];
        if (request.SizeBytes < 1) errors["sizeBytes"] = ["The size must be at least 1 byte."];
        if (request.Sha256 is not null && !IsHexSha256(request.Sha256)) errors["sha256"] = ["Give the SHA-256 as 64 hexadecimal digits."];
        if (request.DisplayName is { } name && (string.IsNullOrWhiteSpace(name) || name.Trim().Length > MaxDisplayNameLength || name.Any(char.IsControl)))
            errors["displayName"] = [$"Enter a display name of 1 to {MaxDisplayNameLength} characters, without control characters."];
        return errors;
    }

    /// <summary>The file name is metadata only (never a path on disk), but a name that looks like a path
    /// is refused, so no client can be misled by one later.</summary>
    public static string? FileNameProblem(string fileName)
    {
        if (string.IsNullOrWhiteSpace(fileName)) return "Enter the file's name.";
        if (fileName.Length > MaxFileNameLength) return $"The file name is {fileName.Length} characters; the maximum is {MaxFileNameLength}.";
        if (fileName.Contains('/', StringComparison.Ordinal) || fileName.Contains('\\', StringComparison.Ordinal))
            return "Give the file's name only, without a folder ('/' or '\\').";
        if (fileName.Contains("..", StringComparison.Ordinal)) return "The file name may not contain '..'.";
        if (fileName.Any(char.IsControl)) return "The file name may not contain control characters.";
        return null;
    }

    public static bool IsHexSha256(string value) => value.Length == 64 && value.All(char.IsAsciiHexDigit);
}

/// <summary>A request's <c>Content-Range: bytes {Start}-{End}/{Total}</c> (RFC 9110 14.4), inclusive.</summary>
public readonly record struct ContentRange(long Start, long End, long Total)
{
    public long Length => End - Start + 1;

    /// <summary>Parses the one form a resumable upload uses; a missing total (<c>/*</c>), an unknown unit,
    /// or an end before the start is not a range here.</summary>
    public static bool TryParse(string? header, out ContentRange range)
    {
        range = default;
        var text = header.AsSpan().Trim();
        if (!text.StartsWith("bytes ", StringComparison.OrdinalIgnoreCase)) return false;
        text = text["bytes ".Length..].TrimStart();
        var dash = text.IndexOf('-');
        var slash = text.IndexOf('/');
        if (dash <= 0 || slash <= dash + 1 || slash == text.Length - 1) return false;
        if (!TryDigits(text[..dash], out var start) || !TryDigits(text[(dash + 1)..slash], out var end) || !TryDigits(text[(slash + 1)..], out var total))
            return false;
        if (end < start || end >= total) return false;
        range = new ContentRange(start, end, total);
        return true;
    }

    private static bool TryDigits(ReadOnlySpan<char> digits, out long value)
    {
        value = 0;
        return digits.Length is > 0 and <= 18 && !digits.ContainsAnyExcept("0123456789")
            && long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}

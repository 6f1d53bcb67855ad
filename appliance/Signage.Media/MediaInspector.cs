namespace Signage.Media;

/// <summary>
/// Decides whether an uploaded file is a valid signage asset (platform spec §13–14) from its bytes
/// alone; the file name and declared content type are never trusted. The file is streamed: memory
/// use does not grow with its size.
/// </summary>
public static class MediaInspector
{
    private const string Unreadable = "The file could not be read; it appears to be damaged.";

    /// <summary>Inspects the whole of <paramref name="stream"/> from its start. The stream must be
    /// readable and seekable; its position afterwards is unspecified. I/O errors from the stream
    /// itself propagate; everything wrong with the bytes becomes a failed <see cref="MediaCheck"/>.</summary>
    public static MediaCheck Inspect(Stream stream, MediaLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead || !stream.CanSeek)
        {
            throw new ArgumentException("The stream must be readable and seekable.", nameof(stream));
        }

        try
        {
            return InspectFromStart(stream, limits ?? MediaLimits.Default);
        }
        catch (MediaCorruptException e)
        {
            return MediaCheck.Fail(MediaFailureReason.FileCorrupt, e.Message);
        }
        catch (Exception e) when (e is not IOException)
        {
            // A bug or a case the readers did not foresee must still not turn an upload into a 500.
            return MediaCheck.Fail(MediaFailureReason.FileCorrupt, Unreadable);
        }
    }

    public static MediaCheck Inspect(string path, MediaLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 16 * 1024, FileOptions.RandomAccess);
        return Inspect(stream, limits);
    }

    private static MediaCheck InspectFromStart(Stream stream, MediaLimits limits)
    {
        Span<byte> head = stackalloc byte[FormatSniffer.HeadLength];
        stream.Position = 0;
        int read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        (Container container, string? rejection) = FormatSniffer.Identify(head[..read]);
        if (container == Container.Unknown)
        {
            return MediaCheck.Fail(MediaFailureReason.InvalidFormat, rejection!);
        }

        // Checked before parsing, so an oversized upload costs nothing to reject.
        bool isVideo = container == Container.Mp4;
        long maxBytes = isVideo ? limits.MaxVideoBytes : limits.MaxImageBytes;
        if (stream.Length > maxBytes)
        {
            return MediaCheck.Fail(MediaFailureReason.FileSizeExceeded,
                $"{(isVideo ? "Video" : "Image")} is {Wording.Bytes(stream.Length, over: maxBytes)}; the maximum is {Wording.Bytes(maxBytes)}.");
        }

        return container switch
        {
            Container.Jpeg => CheckImage(JpegReader.Read(stream), "image/jpeg", limits),
            Container.Png => CheckImage(PngReader.Read(stream), "image/png", limits),
            _ => VideoRules.Check(Mp4Reader.Read(stream), limits),
        };
    }

    private static MediaCheck CheckImage((int Width, int Height) size, string contentType, MediaLimits limits)
    {
        var info = new MediaInfo(MediaType.Image, contentType, size.Width, size.Height, null, null, null, null, null);
        string? problem = Resolution.Problem("Image", size.Width, size.Height, limits);
        return problem is null ? MediaCheck.Valid(info) : MediaCheck.Fail(MediaFailureReason.ResolutionExceeded, problem, info);
    }
}

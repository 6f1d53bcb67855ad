using Microsoft.Net.Http.Headers;
using Signage.Contracts;
using Signage.Web.Problems;

namespace Signage.Appliance.Media;

/// <summary>
/// Writes a content-addressed blob (or one byte range of it) straight into Kestrel's response pipe:
/// each read lands in the pipe's own buffer, so bytes are copied once in user space instead of
/// twice (file → rented buffer → pipe) as with PhysicalFile, in chunks large enough that a
/// multi-megabyte video takes tens of reads, not thousands. Kestrel has no sendfile on Linux.
/// </summary>
public static class BlobResponse
{
    private const int ChunkBytes = 256 * 1024;

    /// <summary>200 with the whole blob, 206 with one range, or a problem for a bad Range header.
    /// Several ranges are answered with the whole blob (RFC 9110 §14.2 lets a server ignore Range).</summary>
    public static async Task<IResult> SendAsync(HttpContext http, string path, string sha256, string contentType)
    {
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        var length = RandomAccess.GetLength(file);
        var etag = $"\"{sha256}\"";
        var response = http.Response;
        response.Headers.ETag = etag;
        response.Headers.AcceptRanges = "bytes";
        response.Headers.CacheControl = "private, max-age=31536000, immutable";

        if (http.Request.Headers.IfNoneMatch.ToString() is { Length: > 0 } ifNoneMatch && ifNoneMatch.Contains(etag, StringComparison.Ordinal))
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);

        var (offset, count) = (0L, length);
        var rangeHeader = http.Request.Headers.Range.ToString();
        // If-Range names the version the client holds; a different one means "send it all".
        var ifRange = http.Request.Headers.IfRange.ToString();
        if (rangeHeader.Length > 0 && (ifRange.Length == 0 || ifRange == etag))
        {
            if (!RangeHeaderValue.TryParse(rangeHeader, out var range) || range.Unit != "bytes" || range.Ranges.Count == 0)
                return ProblemResponses.Problem(StatusCodes.Status400BadRequest, ProblemCodes.InvalidRange,
                    $"Range '{rangeHeader}' is not of the form 'bytes=<first>-[<last>]' or 'bytes=-<suffix length>'.");
            if (range.Ranges.Count == 1)
            {
                var (from, to) = (range.Ranges.First().From, range.Ranges.First().To);
                if (from is null) (offset, count) = (Math.Max(0, length - to!.Value), Math.Min(length, to.Value));
                else (offset, count) = (from.Value, Math.Min(to ?? long.MaxValue, length - 1) - from.Value + 1);
                if (offset >= length || count <= 0)
                {
                    response.Headers.ContentRange = $"bytes */{length}";
                    return ProblemResponses.Problem(StatusCodes.Status416RangeNotSatisfiable, ProblemCodes.RangeNotSatisfiable,
                        $"Range '{rangeHeader}' starts beyond the end of this {length}-byte file.");
                }
                response.StatusCode = StatusCodes.Status206PartialContent;
                response.Headers.ContentRange = $"bytes {offset}-{offset + count - 1}/{length}";
            }
        }

        response.ContentType = contentType;
        response.ContentLength = count;
        await CopyAsync(file, offset, count, response.BodyWriter, http.RequestAborted);
        return TypedResults.Empty;
    }

    private static async Task CopyAsync(Microsoft.Win32.SafeHandles.SafeFileHandle file, long offset, long count, System.IO.Pipelines.PipeWriter body, CancellationToken cancellationToken)
    {
        while (count > 0)
        {
            var buffer = body.GetMemory((int)Math.Min(count, ChunkBytes));
            if (buffer.Length > count) buffer = buffer[..(int)count];
            // The blob is usually in the page cache: a synchronous read is cheaper than a hop to the thread pool.
            var read = RandomAccess.Read(file, buffer.Span, offset);
            if (read == 0) throw new IOException("The blob is shorter than it was a moment ago.");
            body.Advance(read);
            (offset, count) = (offset + read, count - read);
            var flushed = await body.FlushAsync(cancellationToken);
            if (flushed.IsCanceled || flushed.IsCompleted) return;
        }
    }
}

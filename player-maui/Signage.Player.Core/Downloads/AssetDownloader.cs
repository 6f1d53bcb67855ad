using System.Net;
using Signage.Player.Core.Api;
using Signage.Player.Core.Integrity;
using Signage.Player.Core.Storage;

namespace Signage.Player.Core.Downloads;

public sealed record DownloadResult(bool Succeeded, string? Reason = null, int? HttpStatus = null, TimeSpan? RetryAfter = null)
{
    public static readonly DownloadResult Ok = new(true);
}

/// <summary>One file (spec 28.9, 33.3.4): into downloads/SHA.part, resumed with HTTP Range after a drop,
/// SHA-256 checked, then renamed into media/ — a file in media/ is always whole and verified.</summary>
public sealed class AssetDownloader(ApplianceApi api, PlayerPaths paths, TimeProvider clock)
{
    /// <summary>A body that sends nothing for this long is a dead connection.</summary>
    public static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(60);

    public long PartialBytes(string sha256)
    {
        var file = new FileInfo(paths.PartialFile(sha256));
        return file.Exists ? file.Length : 0;
    }

    public async Task<DownloadResult> DownloadAsync(DownloadRequest request, CancellationToken cancellationToken)
    {
        var partial = paths.PartialFile(request.Sha256);
        var have = PartialBytes(request.Sha256);
        if (have > request.SizeBytes)
        {
            AtomicFile.TryDelete(partial);
            have = 0;
        }

        if (have < request.SizeBytes)
        {
            var fetched = await FetchAsync(request, partial, have, cancellationToken).ConfigureAwait(false);
            if (!fetched.Succeeded)
            {
                return fetched;
            }
        }

        return await VerifyAndMoveAsync(request, partial, cancellationToken).ConfigureAwait(false);
    }

    private async Task<DownloadResult> FetchAsync(DownloadRequest request, string partial, long have, CancellationToken cancellationToken)
    {
        var answer = await api.GetAssetAsync(request.Url, have, cancellationToken).ConfigureAwait(false);
        if (!answer.IsOk || answer.Value is null)
        {
            return new DownloadResult(false, answer.Error ?? answer.Outcome.ToString(), answer.StatusCode, answer.RetryAfter);
        }

        using var response = answer.Value;
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            // Our partial file does not match the server's: start again from byte 0 next time.
            AtomicFile.TryDelete(partial);
            return new DownloadResult(false, "RANGE_NOT_SATISFIABLE", 416);
        }

        var resuming = response.StatusCode == HttpStatusCode.PartialContent;
        if (resuming && response.Content.Headers.ContentRange?.From != have)
        {
            AtomicFile.TryDelete(partial);
            return new DownloadResult(false, "UNEXPECTED_CONTENT_RANGE", 206);
        }

        Directory.CreateDirectory(paths.DownloadDirectory);
        using var stall = new CancellationTokenSource(Timeout.InfiniteTimeSpan, clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stall.Token);
        try
        {
            var body = await response.Content.ReadAsStreamAsync(linked.Token).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                // 200 means the whole file from byte 0, whatever we asked for.
                var file = new FileStream(partial, resuming ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16, useAsync: true);
                await using (file.ConfigureAwait(false))
                {
                    var buffer = new byte[1 << 16];
                    var written = resuming ? have : 0;
                    while (true)
                    {
                        stall.CancelAfter(StallTimeout);
                        var read = await body.ReadAsync(buffer, linked.Token).ConfigureAwait(false);
                        if (read == 0)
                        {
                            break;
                        }

                        written += read;
                        if (written > request.SizeBytes)
                        {
                            file.Close();
                            AtomicFile.TryDelete(partial);
                            return new DownloadResult(false, "LONGER_THAN_MANIFEST_SIZE", (int)response.StatusCode);
                        }

                        await file.WriteAsync(buffer.AsMemory(0, read), linked.Token).ConfigureAwait(false);
                    }

                    file.Flush(flushToDisk: true);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // What arrived stays in the .part file; the next attempt asks for the rest.
            return new DownloadResult(false, "INTERRUPTED: " + ex.Message, (int)response.StatusCode);
        }

        return DownloadResult.Ok;
    }

    private async Task<DownloadResult> VerifyAndMoveAsync(DownloadRequest request, string partial, CancellationToken cancellationToken)
    {
        var length = PartialBytes(request.Sha256);
        if (length != request.SizeBytes)
        {
            return new DownloadResult(false, $"INCOMPLETE: {length} of {request.SizeBytes} bytes");
        }

        var actual = await FileHash.Sha256HexAsync(partial, cancellationToken).ConfigureAwait(false);
        if (actual != request.Sha256)
        {
            AtomicFile.TryDelete(partial);
            return new DownloadResult(false, "CHECKSUM_MISMATCH");
        }

        var target = paths.MediaFile(request.Sha256);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Move(partial, target, overwrite: true);
        return DownloadResult.Ok;
    }
}

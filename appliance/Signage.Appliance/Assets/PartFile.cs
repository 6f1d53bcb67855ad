using System.Buffers;
using Microsoft.AspNetCore.Http;
using Signage.Web.Problems;

namespace Signage.Appliance.Assets;

/// <summary>How one PUT of upload content ended.</summary>
internal enum AppendOutcome
{
    /// <summary>The body ended as the client said it would.</summary>
    Completed,

    /// <summary>The client went away (dropped connection, body cut short): what arrived is kept.</summary>
    Disconnected,

    /// <summary>The body was longer than allowed: this request's bytes are not kept.</summary>
    TooLarge,

    /// <summary>The session disappeared meanwhile (asset deleted, session expired).</summary>
    SessionGone,
}

/// <summary>
/// Streams a request body onto the end of an upload's part file, in 1 MiB chunks (never the whole body
/// in memory). Every <see cref="CheckpointBytes"/> and at the end the file is fsynced and then the
/// new length recorded, so the recorded length is always bytes that are safely on disk: a crash or a
/// dropped connection loses at most the unrecorded tail, and the next PUT cuts that tail off.
/// </summary>
internal static class PartFile
{
    public const int ChunkBytes = 1024 * 1024;
    public const long CheckpointBytes = 64L * 1024 * 1024;

    /// <param name="start">The recorded length: bytes from here on are replaced.</param>
    /// <param name="record">Records a durable length; returns false when the session is gone.</param>
    /// <remarks>The body is read without the request-aborted token: bytes already received must still be
    /// read and kept when the client has gone. A vanished client ends the read anyway (Kestrel reports the
    /// cut-off body, or its minimum data rate times the read out).</remarks>
    public static async Task<(AppendOutcome Outcome, long Length)> AppendAsync(Stream body, string path, long start, Func<long, bool> record)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 0 };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        await using var file = new FileStream(path, options);
        file.SetLength(start);
        file.Position = start;
        var recorded = start;
        var outcome = AppendOutcome.Completed;
        try
        {
            while (true)
            {
                var filled = 0;
                try
                {
                    // Fill the chunk before writing: fewer, larger writes.
                    while (filled < ChunkBytes)
                    {
                        var read = await body.ReadAsync(buffer.AsMemory(filled, ChunkBytes - filled), CancellationToken.None);
                        if (read == 0) break;
                        filled += read;
                    }
                }
                catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
                {
                    outcome = AppendOutcome.TooLarge;
                    break;
                }
                catch (Exception e) when (e is IOException or OperationCanceledException)
                {
                    // Keep what did arrive: it is written and recorded below.
                    await file.WriteAsync(buffer.AsMemory(0, filled), CancellationToken.None);
                    outcome = AppendOutcome.Disconnected;
                    break;
                }
                if (filled == 0) break;
                await file.WriteAsync(buffer.AsMemory(0, filled), CancellationToken.None);
                if (file.Position - recorded >= CheckpointBytes)
                {
                    file.Flush(flushToDisk: true);
                    if (!record(file.Position)) return (AppendOutcome.SessionGone, recorded);
                    recorded = file.Position;
                }
                if (filled < ChunkBytes) break; // the body ended inside this chunk
            }

            if (outcome == AppendOutcome.TooLarge) return (outcome, recorded);
            file.Flush(flushToDisk: true);
            if (file.Position != recorded && !record(file.Position)) return (AppendOutcome.SessionGone, recorded);
            return (outcome, file.Position);
        }
        catch (IOException e) when (ProblemResponses.IsDiskFull(e))
        {
            // Disk full: give back the unrecorded tail at once (the next PUT would cut it anyway), then let
            // the problem handler answer 507 STORAGE_FULL.
            file.SetLength(recorded);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

/// <summary>One request at a time per upload session: a PUT, or the complete that ends it. In memory
/// is right: one appliance process owns its data directory.</summary>
public sealed class UploadGate
{
    private readonly HashSet<string> _busy = new(StringComparer.Ordinal);

    /// <summary>A claim to release when the request is done; null while another request holds it.</summary>
    public IDisposable? TryEnter(string uploadId)
    {
        lock (_busy)
        {
            return _busy.Add(uploadId) ? new Claim(this, uploadId) : null;
        }
    }

    private void Release(string uploadId)
    {
        lock (_busy)
        {
            _busy.Remove(uploadId);
        }
    }

    private sealed class Claim(UploadGate gate, string uploadId) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) gate.Release(uploadId);
        }
    }
}

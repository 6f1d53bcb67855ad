using System.Security.Cryptography;

namespace Signage.CloudHub.Library;

/// <summary>An upload written aside and hashed, not yet part of the store.</summary>
public sealed record StagedBlob(string Path, string Sha256, long SizeBytes);

/// <summary>
/// Content-addressed blob storage for the shared library: a blob's name is its SHA-256, so the
/// same file uploaded twice (or by two tenants) is stored once and never changes. The hub's disk by
/// default; an S3-compatible store would implement the same four calls.
/// </summary>
public interface IBlobStore
{
    /// <summary>Copies at most <paramref name="maxBytes"/> to a temporary file while hashing; null when larger.</summary>
    Task<StagedBlob?> StageAsync(Stream content, long maxBytes, CancellationToken cancellationToken);

    /// <summary>Moves a staged blob into the store (atomic rename; an existing identical blob wins).</summary>
    void Commit(StagedBlob blob);

    void Discard(StagedBlob blob);

    /// <summary>A seekable stream of the blob, or null when it is not stored.</summary>
    Stream? OpenRead(string sha256);
}

/// <summary>Blobs under <c>&lt;data-dir&gt;/blobs/ab/abcdef…</c>; uploads staged in <c>&lt;data-dir&gt;/staging</c> (same file system, so the rename is atomic).</summary>
public sealed class FileBlobStore : IBlobStore
{
    private readonly string _blobs;
    private readonly string _staging;

    public FileBlobStore(string dataDirectory)
    {
        _blobs = Path.Combine(dataDirectory, "blobs");
        _staging = Path.Combine(dataDirectory, "staging");
        Directory.CreateDirectory(_blobs);
        Directory.CreateDirectory(_staging);
    }

    public static bool IsSha256(string text) => text.Length == 64 && text.All(char.IsAsciiHexDigitLower);

    public async Task<StagedBlob?> StageAsync(Stream content, long maxBytes, CancellationToken cancellationToken)
    {
        var path = Path.Combine(_staging, Guid.NewGuid().ToString("N"));
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long size = 0;
        try
        {
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                var buffer = new byte[81920];
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    size += read;
                    if (size > maxBytes)
                    {
                        file.Close();
                        File.Delete(path);
                        return null;
                    }
                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
                await file.FlushAsync(cancellationToken);
                file.Flush(flushToDisk: true);
            }
            return new StagedBlob(path, Convert.ToHexStringLower(hash.GetHashAndReset()), size);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    public void Commit(StagedBlob blob)
    {
        var target = PathOf(blob.Sha256);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        if (File.Exists(target)) File.Delete(blob.Path);
        else File.Move(blob.Path, target, overwrite: true);
    }

    public void Discard(StagedBlob blob) => File.Delete(blob.Path);

    public Stream? OpenRead(string sha256)
    {
        if (!IsSha256(sha256)) return null;
        var path = PathOf(sha256);
        return File.Exists(path) ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true) : null;
    }

    private string PathOf(string sha256) => Path.Combine(_blobs, sha256[..2], sha256);
}

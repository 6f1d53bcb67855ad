using System.Security.Cryptography;
using Signage.CloudHub.Hosting;

namespace Signage.CloudHub.Library;

/// <summary>An upload written aside and hashed, not yet part of the store.</summary>
public sealed record StagedBlob(string Path, string Sha256, long SizeBytes);

/// <summary>
/// Content-addressed blob storage for the shared library: a blob's name is its SHA-256, so the
/// same file uploaded twice (or by two tenants) is stored once and never changes. The hub's disk by
/// default (<see cref="FileBlobStore"/>), S3-compatible storage as an option (<see cref="S3BlobStore"/>);
/// <see cref="BlobStores.Open"/> picks one from the settings. Uploads are staged on the hub's disk
/// either way: the media validator reads them from a file before they are kept.
/// </summary>
public interface IBlobStore
{
    /// <summary>Copies at most <paramref name="maxBytes"/> to a temporary file while hashing; null when larger.</summary>
    Task<StagedBlob?> StageAsync(Stream content, long maxBytes, CancellationToken cancellationToken);

    /// <summary>Moves a staged blob into the store (an existing identical blob wins); durable when it returns.</summary>
    Task CommitAsync(StagedBlob blob, CancellationToken cancellationToken);

    /// <summary>Drops an upload that was refused.</summary>
    void Discard(StagedBlob blob) => File.Delete(blob.Path);

    /// <summary>A seekable stream of the blob (Range requests seek it), or null when it is not stored.</summary>
    Task<Stream?> OpenReadAsync(string sha256, CancellationToken cancellationToken);
}

public static class BlobStores
{
    /// <summary>The store the settings name: the disk (default) or an S3-compatible bucket, checked now.</summary>
    public static async Task<IBlobStore> OpenAsync(HubSettings settings)
    {
        if (settings.S3 is not { } s3) return new FileBlobStore(settings.DataDirectory);
        var store = S3BlobStore.Create(s3, settings.DataDirectory);
        await store.CheckBucketAsync(CancellationToken.None);
        return store;
    }
}

/// <summary>Blobs under <c>&lt;data-dir&gt;/blobs/ab/abcdef…</c>; uploads staged in <c>&lt;data-dir&gt;/staging</c> (same file system, so the rename is atomic).</summary>
public sealed class FileBlobStore(string dataDirectory) : IBlobStore
{
    private readonly string _blobs = Directory.CreateDirectory(Path.Combine(dataDirectory, "blobs")).FullName;
    private readonly BlobStaging _staging = new(dataDirectory);

    public static bool IsSha256(string text) => text.Length == 64 && text.All(char.IsAsciiHexDigitLower);

    public Task<StagedBlob?> StageAsync(Stream content, long maxBytes, CancellationToken cancellationToken) => _staging.StageAsync(content, maxBytes, cancellationToken);

    public Task CommitAsync(StagedBlob blob, CancellationToken cancellationToken)
    {
        var target = PathOf(blob.Sha256);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        if (File.Exists(target)) File.Delete(blob.Path);
        else File.Move(blob.Path, target, overwrite: true);
        return Task.CompletedTask;
    }

    public Task<Stream?> OpenReadAsync(string sha256, CancellationToken cancellationToken)
    {
        if (!IsSha256(sha256)) return Task.FromResult<Stream?>(null);
        var path = PathOf(sha256);
        return Task.FromResult<Stream?>(File.Exists(path) ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true) : null);
    }

    private string PathOf(string sha256) => Path.Combine(_blobs, sha256[..2], sha256);
}

/// <summary>Uploads written and hashed under <c>&lt;data-dir&gt;/staging</c> (the disk store's file system, so its rename is atomic).</summary>
public sealed class BlobStaging
{
    private readonly string _staging;

    public BlobStaging(string dataDirectory) => _staging = Directory.CreateDirectory(Path.Combine(dataDirectory, "staging")).FullName;

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
}

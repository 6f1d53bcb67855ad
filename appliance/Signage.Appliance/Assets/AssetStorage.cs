using System.Text.RegularExpressions;
using Signage.Appliance.Hosting;

namespace Signage.Appliance.Assets;

/// <summary>
/// Where asset bytes live in the data directory:
/// <list type="bullet">
/// <item><c>uploads/&lt;uploadId&gt;.part</c>: bytes of an upload as they arrive (resumable);</item>
/// <item><c>blobs/&lt;first 2 hex&gt;/&lt;sha256&gt;</c>: each distinct content once, moved there by
/// an atomic rename when an asset becomes READY;</item>
/// <item><c>thumbnails/&lt;sha256&gt;.jpg</c>: one per content, written under a temporary name first.</item>
/// </list>
/// A blob or thumbnail is only added or removed while holding <see cref="LockAsync"/>, together with
/// the database change that makes it referenced or unreferenced, so a delete can never remove a blob
/// that an asset is at that moment becoming READY with.
/// </summary>
public sealed partial class AssetStorage
{
    public const string PartExtension = ".part";
    public const string TempExtension = ".tmp";

    private readonly SemaphoreSlim _contentLock = new(1, 1);

    public AssetStorage(string dataDirectory)
    {
        UploadsDirectory = Path.Combine(dataDirectory, "uploads");
        BlobsDirectory = Path.Combine(dataDirectory, "blobs");
        ThumbnailsDirectory = Path.Combine(dataDirectory, "thumbnails");
        try
        {
            Directory.CreateDirectory(UploadsDirectory);
            Directory.CreateDirectory(BlobsDirectory);
            Directory.CreateDirectory(ThumbnailsDirectory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StartupException($"The media folders in '{dataDirectory}' cannot be created: {e.Message}", e);
        }
    }

    public string UploadsDirectory { get; }

    public string BlobsDirectory { get; }

    public string ThumbnailsDirectory { get; }

    public string PartPath(string uploadId) => Path.Combine(UploadsDirectory, RequireId(uploadId) + PartExtension);

    public string BlobPath(string sha256) => Path.Combine(BlobsDirectory, RequireSha(sha256)[..2], sha256);

    public string ThumbnailPath(string sha256) => Path.Combine(ThumbnailsDirectory, RequireSha(sha256) + ".jpg");

    /// <summary>Where the worker lets ffmpeg write, before the rename that publishes the thumbnail.</summary>
    public string ThumbnailTempPath(string sha256, string assetId) =>
        Path.Combine(ThumbnailsDirectory, $"{RequireSha(sha256)}.{RequireId(assetId)}{TempExtension}");

    /// <summary>Serializes "is this content still referenced?" with adding and removing content files.</summary>
    public async Task<IDisposable> LockAsync(CancellationToken cancellationToken = default)
    {
        await _contentLock.WaitAsync(cancellationToken);
        return new Releaser(_contentLock);
    }

    /// <summary>Moves a finished part file into the blob store by an atomic rename. When the same bytes
    /// are already stored, the part file is deleted instead: each content is kept once.</summary>
    public void StoreBlob(string partPath, string sha256)
    {
        var blob = BlobPath(sha256);
        if (File.Exists(blob))
        {
            File.Delete(partPath);
            return;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(blob)!);
        File.Move(partPath, blob, overwrite: false);
    }

    /// <summary>Publishes a thumbnail written to a temporary name; keeps an existing one for the same content.</summary>
    public void PlaceThumbnail(string? tempPath, string sha256)
    {
        if (tempPath is null || !File.Exists(tempPath)) return;
        var final = ThumbnailPath(sha256);
        if (File.Exists(final)) File.Delete(tempPath);
        else File.Move(tempPath, final, overwrite: false);
    }

    /// <summary>Deletes the blob and thumbnail of a content nothing references any more.</summary>
    public void DeleteContent(string sha256)
    {
        DeleteQuietly(BlobPath(sha256));
        DeleteQuietly(ThumbnailPath(sha256));
    }

    /// <summary>Deletes a file if it is there; a missing file is not an error.</summary>
    public static void DeleteQuietly(string? path)
    {
        if (path is null) return;
        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    public static bool IsSha256(string? value) => value is not null && Sha256Pattern().IsMatch(value);

    // Ids and hashes come from the database, never from a route value, but a path is only ever built
    // from a value of the expected shape all the same.
    private static string RequireId(string id) => IdPattern().IsMatch(id) ? id : throw new ArgumentException($"'{id}' is not an id.", nameof(id));

    private static string RequireSha(string sha256) => IsSha256(sha256) ? sha256 : throw new ArgumentException($"'{sha256}' is not a lowercase SHA-256.", nameof(sha256));

    [GeneratedRegex("^[a-z]{3}_[0-9a-f]{32}$")]
    private static partial Regex IdPattern();

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256Pattern();

    private sealed class Releaser(SemaphoreSlim semaphore) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) semaphore.Release();
        }
    }
}

using Microsoft.Extensions.Logging;
using Signage.Player.Core.Cache;
using Signage.Player.Core.Storage;
using Signage.Player.Core.Telemetry;

namespace Signage.Player.Core.Integrity;

/// <summary>The full hash at boot (seed 000 step 4–5): every indexed file is hashed again; a bad or missing
/// one is reported (ASSET_CORRUPT) and forgotten, so the download queue fetches it again. Runs in the
/// background after the first frame: until then the cheap size check guards playback.</summary>
public sealed partial class CacheVerifier(AssetCache cache, PlayerPaths paths, EventRecorder events, ILogger logger)
{
    /// <summary>Returns the SHA-256s found corrupt.</summary>
    public async Task<IReadOnlyList<string>> VerifyAllAsync(CancellationToken cancellationToken)
    {
        var corrupt = new List<string>();
        foreach (var row in cache.Snapshot())
        {
            var path = cache.PathOf(row.Sha256);
            var file = new FileInfo(path);
            string? reason = null;
            if (!file.Exists)
            {
                reason = "FILE_MISSING";
            }
            else if (file.Length != row.SizeBytes)
            {
                reason = "SIZE_MISMATCH";
            }
            else if (await FileHash.Sha256HexAsync(path, cancellationToken).ConfigureAwait(false) != row.Sha256)
            {
                reason = "CHECKSUM_MISMATCH";
            }

            if (reason is null)
            {
                cache.MarkVerified(row.Sha256);
                continue;
            }

            LogCorrupt(logger, row.AssetId, reason);
            events.AssetCorrupt(new AssetCorruptPayload(row.AssetId, row.Sha256, reason, row.SizeBytes, file.Exists ? file.Length : null));
            cache.Forget(row.Sha256);
            corrupt.Add(row.Sha256);
        }

        await AdoptOrphansAsync(cancellationToken).ConfigureAwait(false);
        return corrupt;
    }

    /// <summary>A file renamed into media/ by a download whose index write was cut off by a crash: keep it
    /// if its bytes match its name, delete it otherwise.</summary>
    private async Task AdoptOrphansAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(paths.MediaDirectory))
        {
            return;
        }

        foreach (var path in Directory.EnumerateFiles(paths.MediaDirectory, "*", SearchOption.AllDirectories))
        {
            var name = Path.GetFileName(path);
            if (cache.Contains(name))
            {
                continue;
            }

            if (FileHash.IsSha256Hex(name) && await FileHash.Sha256HexAsync(path, cancellationToken).ConfigureAwait(false) == name)
            {
                cache.Add(name, name, new FileInfo(path).Length);
            }
            else
            {
                AtomicFile.TryDelete(path);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cached asset {AssetId} is corrupt ({Reason}); it will be downloaded again")]
    private static partial void LogCorrupt(ILogger logger, string assetId, string reason);
}

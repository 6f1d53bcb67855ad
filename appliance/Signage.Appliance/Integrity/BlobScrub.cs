using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using NodaTime;
using Signage.Appliance.Assets;
using Signage.Appliance.Audit;
using Signage.Appliance.Data;

namespace Signage.Appliance.Integrity;

/// <summary>
/// Reads every stored blob at a gentle rate and checks its bytes against its name (the SHA-256). A blob
/// whose bytes changed on disk (a bad sector, a torn copy, a hand edit) is moved to <c>quarantine/</c>,
/// so no screen ever receives it: GET /v1/assets/{sha256} answers 404 from then on and the player keeps
/// what it has. Each quarantine is logged and written to the audit log (<c>BLOB_QUARANTINED</c>) of every
/// venue whose assets hold that content. When the content is a hub-shared asset, the sync loop is woken and
/// fetches the good copy from the hub (Sync/ChangeApplier, audited as <c>BLOB_REPAIRED</c>).
/// </summary>
public sealed class BlobScrub(AssetStorage storage, Database database, Sync.SyncSignal sync, IClock clock, IConfiguration configuration, ILogger<BlobScrub> logger)
{
    public const string QuarantinedAction = "BLOB_QUARANTINED";
    private const int ChunkBytes = 1024 * 1024;

    /// <summary>Setting <c>Integrity:ScrubIntervalMinutes</c> (fractions allowed): time between passes; default once a day.</summary>
    public TimeSpan Interval { get; } = TimeSpan.FromMinutes(Setting(configuration, "Integrity:ScrubIntervalMinutes", 24 * 60));

    /// <summary>Setting <c>Integrity:ScrubBytesPerSecond</c>: the read rate, so a pass never competes with
    /// screens downloading; default 32 MiB/s (a 32 GB library in under 20 minutes).</summary>
    public double BytesPerSecond { get; } = Setting(configuration, "Integrity:ScrubBytesPerSecond", 32 * 1024 * 1024);

    public string QuarantineDirectory { get; } = Path.Combine(Path.GetDirectoryName(storage.BlobsDirectory)!, "quarantine");

    private static double Setting(IConfiguration configuration, string key, double fallback) =>
        double.TryParse(configuration[key], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;

    /// <summary>One pass over the blob store; returns how many blobs were quarantined.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var quarantined = 0;
        var clockStarted = Stopwatch.StartNew();
        long bytesRead = 0;
        foreach (var path in Directory.EnumerateFiles(storage.BlobsDirectory, "*", SearchOption.AllDirectories))
        {
            var expected = Path.GetFileName(path);
            if (!AssetStorage.IsSha256(expected)) continue;
            string actual;
            try
            {
                (actual, var length) = await HashAsync(path, clockStarted, bytesRead, cancellationToken);
                bytesRead += length;
            }
            catch (FileNotFoundException)
            {
                continue; // deleted by the cleanup meanwhile
            }
            if (actual == expected) continue;
            if (await QuarantineAsync(path, expected, actual, cancellationToken)) quarantined++;
        }
        if (quarantined > 0) sync.Wake(); // an enrolled appliance repairs hub-shared blobs from the hub now, not at the next interval
        return quarantined;
    }

    private async Task<(string Sha256, long Length)> HashAsync(string path, Stopwatch clockStarted, long bytesBefore, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[ChunkBytes];
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
        long length = 0;
        int read;
        while ((read = await file.ReadAsync(buffer, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            length += read;
            // Gentle: never ahead of the configured rate over the whole pass.
            var due = TimeSpan.FromSeconds((bytesBefore + length) / BytesPerSecond) - clockStarted.Elapsed;
            if (due > TimeSpan.Zero) await Task.Delay(due, cancellationToken);
        }
        return (Convert.ToHexStringLower(hash.GetHashAndReset()), length);
    }

    private async Task<bool> QuarantineAsync(string path, string expected, string actual, CancellationToken cancellationToken)
    {
        var now = clock.GetCurrentInstant();
        var target = Path.Combine(QuarantineDirectory, $"{expected}.{now.ToUnixTimeMilliseconds()}");
        // Under the content lock: a blob is never moved while an upload of the same bytes is placing or deleting it.
        using (await storage.LockAsync(cancellationToken))
        {
            Directory.CreateDirectory(QuarantineDirectory);
            try
            {
                File.Move(path, target, overwrite: false);
            }
            catch (FileNotFoundException)
            {
                return false;
            }
        }
        logger.LogError("Blob {Sha256} is damaged on disk (its bytes hash to {Actual}); moved to {Quarantine}, screens will not receive it",
            expected, actual, target);
        await using var connection = await database.OpenAsync(cancellationToken);
        using var transaction = connection.BeginTransaction();
        var owners = connection.Query("SELECT DISTINCT tenant_id, venue_id FROM asset WHERE sha256 = $sha;", transaction,
            r => ((string?)r.GetString(0), (string?)r.GetString(1)), ("$sha", expected));
        var details = new Dictionary<string, string?> { ["actualSha256"] = actual, ["quarantinedAs"] = Path.GetFileName(target) };
        foreach (var (tenant, venue) in owners.Count > 0 ? owners : [(null, null)])
            AuditLog.Write(connection, transaction, now, QuarantinedAction, tenant, venue, null, "blob", expected, details);
        transaction.Commit();
        return true;
    }
}

/// <summary>Runs <see cref="BlobScrub"/> every <see cref="BlobScrub.Interval"/>, the first pass one interval after start.</summary>
public sealed class BlobScrubService(BlobScrub scrub, ILogger<BlobScrubService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(scrub.Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var quarantined = await scrub.RunOnceAsync(stoppingToken);
                if (quarantined > 0) logger.LogWarning("Integrity scrub quarantined {Count} damaged blobs", quarantined);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or SqliteException)
            {
                logger.LogWarning(e, "Integrity scrub pass failed; will retry next interval");
            }
        }
    }
}

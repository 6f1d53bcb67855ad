using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using NodaTime;
using Signage.Appliance.Auth;
using Signage.Appliance.Data;
using Signage.Appliance.Player;
using Signage.Appliance.ProofOfPlay;
using Signage.Appliance.Tests.Infrastructure;
using Signage.Contracts;

namespace Signage.Appliance.Tests.ProofOfPlay;

/// <summary>
/// The event writer on a real SQLite file, in process: under sustained load its WAL must not grow
/// with every event (a PASSIVE checkpoint beside a writer that never pauses never catches up, and
/// SQLite only starts the WAL over once every frame is copied).
/// </summary>
public sealed class EventWriterWalTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _temp.Dispose();
    }

    [Fact]
    public async Task Sustained_ingestion_keeps_the_wal_bounded_and_stores_every_play_once()
    {
        var database = new Database(_temp.Combine("appliance.db"));
        Migrator.Migrate(database);
        using (var connection = database.Open())
        {
            connection.Execute("""
                INSERT INTO tenant (tenant_id, name, created_at_utc) VALUES ('ten_1', 'T', '2026-11-01T00:00:00.000Z');
                INSERT INTO venue (venue_id, tenant_id, name, timezone, created_at_utc, updated_at_utc) VALUES ('ven_1', 'ten_1', 'V', 'Europe/London', '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z');
                INSERT INTO device (device_id, tenant_id, venue_id, name, hardware_id, created_at_utc, updated_at_utc)
                    VALUES ('dev_1', 'ten_1', 'ven_1', 'Bar screen', 'hw1', '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z');
                INSERT INTO asset (asset_id, tenant_id, venue_id, display_name, file_name, status, media_type, content_type, sha256, size_bytes, width, height,
                    created_at_utc, updated_at_utc, ready_at_utc)
                    VALUES ('ast_1', 'ten_1', 'ven_1', 'Ad', 'ad.jpg', 'READY', 'IMAGE', 'image/jpeg', printf('%064d', 1), 1000, 1920, 1080,
                    '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z');
                INSERT INTO playlist (playlist_id, venue_id, name, created_at_utc, updated_at_utc) VALUES ('pls_1', 'ven_1', 'Ads', '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z');
                """, null);
        }
        var ingestion = new EventIngestion(database, NullLogger<EventIngestion>.Instance);
        await ingestion.StartAsync(default);

        // 600,000 plays from 20 concurrent senders in batches of 100: without the writer's own
        // checkpoint the WAL grew by ~650 bytes a play, ~390 MB here; with it, it starts over past 64 MB.
        const int Senders = 20, Batches = 300, BatchSize = 100;
        var device = new DeviceCaller("dev_1", "ven_1", "ten_1");
        var startedAt = Instant.FromUtc(2026, 11, 20, 12, 0);
        var play = new PlayRecorder.Play("pls_1", "ast_1", startedAt, Sql.Utc(startedAt), 10_000, PlayerProtocol.PlayResults.Completed);
        long sequence = 0, largestWal = 0, accepted = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, Senders), async (_, cancellationToken) =>
        {
            for (var b = 0; b < Batches; b++)
            {
                var events = Enumerable.Range(0, BatchSize).Select(i => new IncomingEvent(i, Guid.CreateVersion7().ToString(), Interlocked.Increment(ref sequence),
                    PlayerProtocol.EventTypes.PlayEnd, "INFO", play.StartedAtUtc, play.StartedAtUtc, false, "{}", play)).ToList();
                var result = await ingestion.StoreAsync(device, startedAt + Duration.FromMinutes(1), events, cancellationToken);
                Interlocked.Add(ref accepted, result!.Value.Accepted);
                var wal = new FileInfo(database.Path + "-wal");
                if (wal.Exists) InterlockedMax(ref largestWal, wal.Length);
            }
        });
        await ingestion.StopAsync(default);

        Assert.Equal(Senders * Batches * BatchSize, accepted);
        using var check = database.Open();
        Assert.Equal((long)accepted, check.Scalar<long>("SELECT COUNT(*) FROM proof_of_play;", null));
        Assert.Equal((long)accepted, check.Scalar<long>("SELECT SUM(plays) FROM proof_of_play_daily;", null));
        Assert.True(largestWal < 200L * 1024 * 1024, $"the WAL reached {largestWal / (1024 * 1024)} MB");
    }

    private static void InterlockedMax(ref long target, long value)
    {
        for (var current = Interlocked.Read(ref target); value > current; current = Interlocked.Read(ref target))
            if (Interlocked.CompareExchange(ref target, value, current) == current) return;
    }
}

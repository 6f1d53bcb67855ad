using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using NodaTime;
using Signage.Appliance.Auth;
using Signage.Appliance.Data;
using Signage.Appliance.ProofOfPlay;
using Signage.Contracts;

namespace Signage.Appliance.Player;

/// <summary>One event that passed the checks that need no database, ready for the writer.
/// <see cref="EventTimeUtc"/> is the authoritative time: the device's, or the appliance's when the
/// device clock was plainly wrong (<see cref="ClockSuspect"/>, spec 30.9).</summary>
public sealed record IncomingEvent(int Index, string EventId, long Sequence, string EventType, string Severity, string DeviceTimeUtc, string EventTimeUtc,
    bool ClockSuspect, string PayloadJson, PlayRecorder.Play? Play);

/// <summary>A heartbeat's status row (spec 27.8.2), stored by the event writer in its next transaction.</summary>
public sealed record HeartbeatWrite(string State, string? ManifestEtag, string? ItemKey, string? AssetId, long? UsedBytes, long? TotalBytes,
    long? PendingDownloads, string Json, long? ClockSkewSeconds, string? AppVersion);

/// <summary>
/// Stores event batches and heartbeats with group commit. A request checks its events on its own thread and
/// queues them; one writer takes everything queued, stores it in ONE transaction, commits, and only
/// then answers each of those requests. With <c>synchronous = FULL</c> a commit costs an fsync, so
/// sharing it among all waiting requests is what lets a hundred screens post at once
/// (docs/PERFORMANCE.md), and a 2xx still means committed. One writer also means no lock queue
/// between requests, and two concurrent copies of an event meet the primary key one after the
/// other: stored and counted once. If a transaction fails, each request in it is retried alone so
/// one bad request cannot fail the others.
/// Heartbeats go the same way: written on request threads, each took its own fsync and, while the
/// writer held SQLite's write lock, slept in SQLite's busy handler (1 to 100 ms steps), which was
/// the fleet benchmark's heartbeat tail (docs/PERFORMANCE.md).
/// </summary>
public sealed class EventIngestion(Database database, ILogger<EventIngestion> logger) : BackgroundService
{
    /// <summary>Events per transaction at most: bounds a commit's latency and memory.</summary>
    public const int MaxEventsPerCommit = 20_000;

    private readonly Channel<Submission> _queue = Channel.CreateBounded<Submission>(new BoundedChannelOptions(4_096)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    /// <summary>What the writer answers: null when the screen no longer exists in its venue.</summary>
    private sealed record Submission(string DeviceId, string VenueId, Instant ReceivedAt, string ReceivedUtc, List<IncomingEvent> Events, HeartbeatWrite? Heartbeat,
        TaskCompletionSource<(int Accepted, int Duplicates, List<RejectedEvent> Rejected)?> Done);

    /// <summary>Stores the events once committed; null if the device was removed or moved meanwhile.</summary>
    public async Task<(int Accepted, int Duplicates, List<RejectedEvent> Rejected)?> StoreAsync(DeviceCaller device, Instant receivedAt, List<IncomingEvent> events,
        CancellationToken cancellationToken)
    {
        var submission = new Submission(device.DeviceId, device.VenueId, receivedAt, Sql.Utc(receivedAt), events, null,
            new(TaskCreationOptions.RunContinuationsAsynchronously));
        await _queue.Writer.WriteAsync(submission, cancellationToken);
        // Once queued, the events will be committed whether or not the screen still waits.
        return await submission.Done.Task;
    }

    /// <summary>Stores a heartbeat's status row once committed; false if the device was removed or moved meanwhile.</summary>
    public async Task<bool> StoreHeartbeatAsync(DeviceCaller device, Instant receivedAt, HeartbeatWrite heartbeat, CancellationToken cancellationToken)
    {
        var submission = new Submission(device.DeviceId, device.VenueId, receivedAt, Sql.Utc(receivedAt), [], heartbeat,
            new(TaskCreationOptions.RunContinuationsAsynchronously));
        await _queue.Writer.WriteAsync(submission, cancellationToken);
        return await submission.Done.Task is not null;
    }

    /// <summary>How often the WAL is copied back into the database file, off the writer's thread.</summary>
    public static readonly TimeSpan CheckpointInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>The writer and the checkpointer run on threads of their own, blocked while they wait:
    /// were they thread-pool threads (async loops), their long synchronous SQLite calls would take the
    /// few pool threads of this 2-core box from the requests that parse and check the next batches,
    /// and the writer would then wait for work that is late (docs/PERFORMANCE.md).</summary>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.WhenAll(
        Task.Factory.StartNew(() => WriteLoop(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default),
        Task.Factory.StartNew(() => CheckpointLoop(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default));

    /// <summary>WAL frames (4 KB each) past which the writer finishes a checkpoint itself so the WAL starts over.</summary>
    public const int RestartWalAfterFrames = 16_384;

    private volatile bool _walShouldRestart;

    /// <summary>
    /// SQLite's automatic checkpoint runs inside the commit that crosses 1,000 WAL pages, i.e. on the
    /// writer's thread, which then copies and fsyncs megabytes while every waiting screen waits. The
    /// writer turns it off and this loop checkpoints PASSIVE beside it (never blocking the writer); the
    /// other connections keep the default, so the WAL stays bounded even if this loop stalls.
    /// A PASSIVE checkpoint beside a writer that never pauses never catches up, though, and SQLite only
    /// starts the WAL over once every frame is copied: under sustained load the WAL grew by 1.3 GB in
    /// 20 s. So once it is long, this loop asks the writer to copy the few frames left itself, between
    /// two transactions; its next transaction then starts the WAL from the beginning.
    /// </summary>
    private void CheckpointLoop(CancellationToken stoppingToken)
    {
        using var connection = database.Open();
        while (!stoppingToken.WaitHandle.WaitOne(CheckpointInterval))
        {
            try
            {
                var frames = connection.Query("PRAGMA wal_checkpoint(PASSIVE);", null, r => r.GetInt64(1));
                if (frames is [>= RestartWalAfterFrames]) _walShouldRestart = true;
            }
            catch (SqliteException e)
            {
                logger.LogWarning(e, "A WAL checkpoint failed; the next one retries");
            }
        }
    }

    private void WriteLoop(CancellationToken stoppingToken)
    {
        using var connection = database.Open();
        // Our player's event ids are UUIDv7 (time-ordered: primary-key inserts append at the B-tree's
        // right edge), but any screen may send random v4 ids, whose inserts land all over the B-tree;
        // the default 2 MB page cache would turn those into reads once the tables grow. 64 MB keeps them in memory.
        connection.Execute("PRAGMA cache_size = -65536;", null);
        connection.Execute("PRAGMA wal_autocheckpoint = 0;", null); // see CheckpointLoop
        using var writer = new Writer(connection);
        var group = new List<Submission>();
        try
        {
            while (_queue.Reader.WaitToReadAsync(stoppingToken).AsTask().GetAwaiter().GetResult())
            {
                var events = 0;
                while (events < MaxEventsPerCommit && _queue.Reader.TryRead(out var next))
                {
                    group.Add(next);
                    events += next.Events.Count;
                }
                Commit(writer, group);
                group.Clear();
                if (_walShouldRestart)
                {
                    _walShouldRestart = false;
                    RestartWal(connection);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            _queue.Writer.TryComplete();
            // Shutting down: whatever is still queued is refused, never silently dropped.
            while (_queue.Reader.TryRead(out var left)) left.Done.TrySetException(new OperationCanceledException("The appliance is stopping."));
        }
    }

    /// <summary>Copies what the background checkpoint has not (no transaction is open, so it can copy all).</summary>
    private void RestartWal(SqliteConnection connection)
    {
        try
        {
            connection.Execute("PRAGMA wal_checkpoint(PASSIVE);", null);
        }
        catch (SqliteException e)
        {
            logger.LogWarning(e, "The writer's WAL checkpoint failed; the next one retries");
        }
    }

    private void Commit(Writer writer, List<Submission> group)
    {
        try
        {
            var answers = writer.Write(group);
            for (var i = 0; i < group.Count; i++) group[i].Done.TrySetResult(answers[i]);
        }
        catch (SqliteException e) when (group.Count > 1)
        {
            logger.LogWarning(e, "An event transaction of {Count} requests failed; storing each alone", group.Count);
            foreach (var submission in group) Commit(writer, [submission]);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Storing events failed");
            foreach (var submission in group) submission.Done.TrySetException(e);
        }
    }

    /// <summary>The writer's compiled statements on its own connection.</summary>
    private sealed class Writer(SqliteConnection connection) : IDisposable
    {
        private readonly SqliteCommand _device = connection.Prepare("SELECT created_at_utc FROM device WHERE device_id = $device AND venue_id = $venue;", "$device", "$venue");
        private readonly RawStatement _insertEvent = new(connection, """
            INSERT INTO device_event (event_id, device_id, venue_id, sequence, event_type, severity, event_time_utc, received_at_utc, clock_suspect, payload_json)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
            ON CONFLICT (event_id) DO NOTHING;
            """);
        private readonly PlayRecorder _plays = new(connection);
        private readonly SqliteCommand _status = connection.Prepare("""
            INSERT INTO device_status (device_id, last_seen_at_utc, state, applied_manifest_etag, current_asset_id, cache_used_bytes, cache_total_bytes,
                pending_downloads, heartbeat_json, clock_skew_seconds, current_item_key, current_item_since_utc)
            VALUES ($device, $now, $state, $etag, $asset, $used, $total, $pending, $json, $skew, $item, $now)
            ON CONFLICT (device_id) DO UPDATE SET last_seen_at_utc = excluded.last_seen_at_utc, state = excluded.state,
                applied_manifest_etag = excluded.applied_manifest_etag, current_asset_id = excluded.current_asset_id,
                cache_used_bytes = excluded.cache_used_bytes, cache_total_bytes = excluded.cache_total_bytes,
                pending_downloads = excluded.pending_downloads, heartbeat_json = excluded.heartbeat_json, clock_skew_seconds = excluded.clock_skew_seconds,
                -- Since when the screen has shown this very item (PLAYBACK_STUCK): kept while the item stays the same.
                current_item_since_utc = CASE WHEN current_item_key IS excluded.current_item_key THEN current_item_since_utc ELSE excluded.current_item_since_utc END,
                current_item_key = excluded.current_item_key;
            """, "$device", "$now", "$state", "$etag", "$asset", "$used", "$total", "$pending", "$json", "$skew", "$item");
        private readonly SqliteCommand _appVersion = connection.Prepare(
            "UPDATE device SET app_version = $version WHERE device_id = $device AND app_version IS NOT $version;", "$version", "$device");

        public List<(int, int, List<RejectedEvent>)?> Write(List<Submission> group)
        {
            using var transaction = connection.BeginTransaction();
            _device.Transaction = _status.Transaction = _appVersion.Transaction = transaction;
            _plays.Begin(transaction);
            var answers = new List<(int, int, List<RejectedEvent>)?>(group.Count);
            foreach (var s in group) answers.Add(Write(s));
            _plays.WriteDailyTotals();
            transaction.Commit();
            return answers;
        }

        private (int, int, List<RejectedEvent>)? Write(Submission s)
        {
            // The token was checked before the request queued; the screen may have been removed since.
            if (_device.QueryFirst(r => r.GetString(0), s.DeviceId, s.VenueId) is not { } pairedAtUtc) return null;
            if (s.Heartbeat is { } h)
            {
                _status.Run(s.DeviceId, s.ReceivedUtc, h.State, h.ManifestEtag, h.AssetId, h.UsedBytes, h.TotalBytes, h.PendingDownloads, h.Json, h.ClockSkewSeconds, h.ItemKey);
                _appVersion.Run(h.AppVersion, s.DeviceId);
                return (0, 0, []);
            }
            var pairedAt = Sql.ParseUtc(pairedAtUtc);
            var rejected = new List<RejectedEvent>();
            int accepted = 0, duplicates = 0;
            foreach (var e in s.Events)
            {
                bool stored;
                if (e.Play is { } play)
                {
                    if (_plays.Check(s.VenueId, play) is { } reason)
                    {
                        rejected.Add(new RejectedEvent(e.Index, e.EventId, reason));
                        continue;
                    }
                    stored = _plays.Record(e.EventId, e.EventType, e.Sequence, e.Severity, play, s.VenueId, s.DeviceId, pairedAt, e.DeviceTimeUtc, s.ReceivedAt, s.ReceivedUtc);
                }
                else
                {
                    stored = _insertEvent.Bind(1, e.EventId).Bind(2, s.DeviceId).Bind(3, s.VenueId).Bind(4, e.Sequence).Bind(5, e.EventType)
                        .Bind(6, e.Severity).Bind(7, e.EventTimeUtc).Bind(8, s.ReceivedUtc).Bind(9, e.ClockSuspect ? 1 : 0).Bind(10, e.PayloadJson).Run() == 1;
                }
                if (stored) accepted++;
                else duplicates++;
            }
            return (accepted, duplicates, rejected);
        }

        public void Dispose()
        {
            _insertEvent.Dispose();
            _plays.Dispose();
            _status.Dispose();
            _appVersion.Dispose();
        }
    }
}

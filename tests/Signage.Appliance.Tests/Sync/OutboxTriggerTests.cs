using System.Text.Json;
using Microsoft.Data.Sqlite;
using Signage.Appliance.Data;
using Signage.Appliance.Sync;
using Signage.Appliance.Tests.Infrastructure;
using Signage.Contracts;

namespace Signage.Appliance.Tests.Sync;

/// <summary>The outbox triggers (migration 0008) on a real, migrated SQLite file: each fact writes its
/// outbox record in the same transaction, exactly once, in the shape of Signage.Contracts/Sync.cs.
/// Plays are the exception (migration 0009): they wait in proof_of_play itself, after the upload
/// cursor, in play_seq order (OutboxSenderTests send them).</summary>
public sealed class OutboxTriggerTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly Database _database;

    public OutboxTriggerTests()
    {
        _database = new Database(_temp.Combine("appliance.db"));
        Migrator.Migrate(_database);
        using var connection = _database.Open();
        connection.Execute("""
            INSERT INTO tenant (tenant_id, name, created_at_utc) VALUES ('ten_1', 'T', '2026-11-01T00:00:00.000Z');
            INSERT INTO venue (venue_id, tenant_id, name, timezone, created_at_utc, updated_at_utc) VALUES ('ven_1', 'ten_1', 'V', 'Europe/London', '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z');
            INSERT INTO device (device_id, tenant_id, venue_id, name, hardware_id, created_at_utc, updated_at_utc)
            VALUES ('dev_1', 'ten_1', 'ven_1', 'Bar screen', 'hw1', '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z');
            DELETE FROM outbox;
            """, null);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _temp.Dispose();
    }

    private sealed record Row(string RecordId, string Kind, string? EntityId, string OccurredAtUtc, string? DataJson);

    private List<Row> Outbox()
    {
        using var connection = _database.Open();
        return connection.Query("SELECT record_id, kind, entity_id, occurred_at_utc, data_json FROM outbox ORDER BY seq;", null,
            r => new Row(r.GetString(0), r.GetString(1), r.NullableString(2), r.GetString(3), r.NullableString(4)));
    }

    private void Play(SqliteConnection connection, SqliteTransaction? transaction, string eventId, string type = "PLAY_END") =>
        connection.Execute("""
            INSERT INTO proof_of_play (event_id, event_type, device_id, venue_id, campaign_id, playlist_id, asset_id, content_sha256, device_time_utc,
                server_received_utc, started_at_utc, local_date, duration_ms, result, clock_suspect)
            VALUES ($id, $type, 'dev_1', 'ven_1', NULL, 'pls_1', 'ast_1', 'abc', '2026-11-20T12:00:10.000Z', '2026-11-20T12:00:11.000Z',
                '2026-11-20T12:00:00.000Z', '2026-11-20', 10000, 'COMPLETED', 1);
            """, transaction, ("$id", eventId), ("$type", type));

    private static void Event(SqliteConnection connection, string eventId, string type, long sequence = 1) =>
        connection.Execute("""
            INSERT INTO device_event (event_id, device_id, venue_id, sequence, event_type, severity, event_time_utc, received_at_utc, payload_json)
            VALUES ($id, 'dev_1', 'ven_1', $sequence, $type, 'WARNING', '2026-11-20T12:00:00.000Z', '2026-11-20T12:00:01.000Z', '{"reason":"disk"}');
            """, null, ("$id", eventId), ("$type", type), ("$sequence", sequence));

    private static void Heartbeat(SqliteConnection connection, string at, string state, string? etag) =>
        connection.Execute("""
            INSERT INTO device_status (device_id, last_seen_at_utc, state, applied_manifest_etag, heartbeat_json) VALUES ('dev_1', $at, $state, $etag, '{}')
            ON CONFLICT (device_id) DO UPDATE SET last_seen_at_utc = excluded.last_seen_at_utc, state = excluded.state, applied_manifest_etag = excluded.applied_manifest_etag;
            """, null, ("$at", at), ("$state", state), ("$etag", etag));

    [Fact]
    public void A_play_writes_no_outbox_row_it_goes_up_from_proof_of_play_behind_the_upload_cursor()
    {
        using var connection = _database.Open();
        Play(connection, null, "e7a9c7f0-0000-4000-8000-000000000001");

        Assert.Empty(Outbox());
        Assert.Equal(0L, connection.Scalar<long>("SELECT sent_through FROM play_upload;", null));
        Assert.Equal(1L, HubConnection.Backlog(connection));
    }

    [Fact]
    public void A_rolled_back_play_uses_up_no_play_seq_and_a_committed_one_takes_the_next()
    {
        using var connection = _database.Open();
        using (var transaction = connection.BeginTransaction())
        {
            Play(connection, transaction, "e7a9c7f0-0000-4000-8000-000000000002");
            transaction.Commit();
        }
        using (var transaction = connection.BeginTransaction())
        {
            Play(connection, transaction, "e7a9c7f0-0000-4000-8000-000000000003");
            transaction.Rollback();
        }
        Play(connection, null, "e7a9c7f0-0000-4000-8000-000000000004");
        Assert.Equal(["1:e7a9c7f0-0000-4000-8000-000000000002", "2:e7a9c7f0-0000-4000-8000-000000000004"],
            connection.Query("SELECT play_seq || ':' || event_id FROM proof_of_play ORDER BY play_seq;", null, r => r.GetString(0)));
        Assert.Equal(2L, HubConnection.Backlog(connection));
    }

    [Fact]
    public void A_play_seq_is_never_handed_out_twice_even_after_the_newest_play_is_deleted()
    {
        using var connection = _database.Open();
        Play(connection, null, "e7a9c7f0-0000-4000-8000-000000000005");
        Play(connection, null, "e7a9c7f0-0000-4000-8000-000000000006");
        connection.Execute("UPDATE play_upload SET sent_through = 2; DELETE FROM proof_of_play;", null);
        Play(connection, null, "e7a9c7f0-0000-4000-8000-000000000007");
        Assert.Equal(3L, connection.Scalar<long>("SELECT play_seq FROM proof_of_play;", null));
        Assert.Equal(1L, HubConnection.Backlog(connection));
    }

    [Fact]
    public void Device_events_go_up_except_plays_which_already_go_up_as_PLAY_records()
    {
        using (var connection = _database.Open())
        {
            Event(connection, "e7a9c7f0-0000-4000-8000-000000000010", "PLAY_END", 1);
            Event(connection, "e7a9c7f0-0000-4000-8000-000000000011", "CACHE_LOW", 2);
        }
        var row = Assert.Single(Outbox());
        Assert.Equal((SyncProtocol.RecordKinds.DeviceEvent, "e7a9c7f0-0000-4000-8000-000000000011"), (row.Kind, row.RecordId));
        var record = JsonSerializer.Deserialize(row.DataJson!, ContractsJsonContext.Default.DeviceEventRecord)!;
        Assert.Equal(("dev_1", 2L, "CACHE_LOW", "WARNING"), (record.DeviceId, record.Sequence, record.EventType, record.Severity));
        Assert.Equal("disk", record.Payload.GetProperty("reason").GetString());
    }

    [Fact]
    public void Device_status_goes_up_when_state_manifest_or_online_status_changes_and_only_the_latest_waits()
    {
        using (var connection = _database.Open())
        {
            Heartbeat(connection, "2026-11-20T12:00:00.000Z", "BOOTING", null);         // first: written
            Heartbeat(connection, "2026-11-20T12:01:00.000Z", "BOOTING", null);         // nothing changed
            Heartbeat(connection, "2026-11-20T12:02:00.000Z", "BOOTING", null);         // nothing changed
        }
        var first = Assert.Single(Outbox());
        Assert.Equal("2026-11-20T12:00:00.000Z", first.OccurredAtUtc);

        using (var connection = _database.Open())
        {
            Heartbeat(connection, "2026-11-20T12:03:00.000Z", "PLAYING", "\"m1\"");     // state + manifest
            Heartbeat(connection, "2026-11-20T12:04:00.000Z", "PLAYING", "\"m1\"");     // nothing
            Heartbeat(connection, "2026-11-20T12:30:00.000Z", "PLAYING", "\"m1\"");     // back after 26 minutes offline
        }
        var latest = Assert.Single(Outbox());
        Assert.Equal((SyncProtocol.RecordKinds.DeviceStatus, "dev_1", "2026-11-20T12:30:00.000Z"), (latest.Kind, latest.EntityId, latest.OccurredAtUtc));
        var status = JsonSerializer.Deserialize(latest.DataJson!, ContractsJsonContext.Default.DeviceStatusRecord)!;
        Assert.Equal(("dev_1", "Bar screen", "ONLINE", "PLAYING", "\"m1\""), (status.DeviceId, status.Name, status.Status, status.State, status.AppliedManifestEtag));
        Assert.NotEqual(first.RecordId, latest.RecordId);
    }

    [Fact]
    public void Replicas_are_marks_for_screens_published_playlists_schedules_and_incidents_one_waiting_per_entity()
    {
        using (var connection = _database.Open())
        {
            connection.Execute("UPDATE device SET name = 'Door', row_version = row_version + 1 WHERE device_id = 'dev_1';", null);
            connection.Execute("UPDATE device SET name = 'Door 2', row_version = row_version + 1 WHERE device_id = 'dev_1';", null);
            connection.Execute("""
                INSERT INTO playlist (playlist_id, venue_id, name, created_at_utc, updated_at_utc) VALUES ('pls_1', 'ven_1', 'P', '2026-11-20T12:00:00.000Z', '2026-11-20T12:00:00.000Z');
                INSERT INTO playlist_published (playlist_id, version, name, published_at_utc) VALUES ('pls_1', 1, 'P', '2026-11-20T12:00:00.000Z');
                INSERT INTO schedule_published (venue_id, version, published_at_utc) VALUES ('ven_1', 1, '2026-11-20T12:00:00.000Z');
                INSERT INTO incident (incident_id, venue_id, device_id, type, severity, opened_at_utc) VALUES ('inc_1', 'ven_1', 'dev_1', 'OFFLINE_DURING_HOURS', 'CRITICAL', '2026-11-20T12:00:00.000Z');
                UPDATE incident SET resolved_at_utc = '2026-11-20T13:00:00.000Z' WHERE incident_id = 'inc_1';
                """, null);
        }
        var rows = Outbox();
        Assert.Equal([("SCREEN", "dev_1"), ("PLAYLIST", "pls_1"), ("SCHEDULE", "ven_1"), ("INCIDENT", "inc_1")], rows.Select(r => (r.Kind, r.EntityId!)));
        Assert.All(rows, r => Assert.Null(r.DataJson));
        Assert.Equal("2026-11-20T13:00:00.000Z", rows[^1].OccurredAtUtc);
    }

    [Fact]
    public void Record_ids_are_unique_so_a_replayed_fact_is_not_queued_twice()
    {
        using var connection = _database.Open();
        Event(connection, "e7a9c7f0-0000-4000-8000-000000000020", "CACHE_LOW");
        connection.Execute("DELETE FROM device_event;", null);
        Event(connection, "e7a9c7f0-0000-4000-8000-000000000020", "CACHE_LOW");
        Assert.Single(Outbox());
    }
}

-- 0010: a play is stored once, in proof_of_play, instead of also as a device_event row (issue 5,
-- docs/PERFORMANCE.md). Per play that saves three B-tree inserts (device_event's row, its key and
-- its (device, sequence) index) and the payload text: half of what the event writer wrote per play.
-- What read plays from device_event (the monitor's sequence-gap and plays-stopped checks, the
-- per-screen event list, the missing-sequence report) reads both tables through their
-- (device_id, sequence) indexes; play_event and device_event_log below are the views they use.

-- What a play's event carried besides the play itself.
ALTER TABLE proof_of_play ADD COLUMN sequence INTEGER NOT NULL DEFAULT 0;
ALTER TABLE proof_of_play ADD COLUMN severity TEXT NOT NULL DEFAULT 'INFO';

UPDATE proof_of_play SET sequence = e.sequence, severity = e.severity
FROM device_event e WHERE e.event_id = proof_of_play.event_id;

-- A play event whose play retention already removed stays where it is (the log below shows it once).
DELETE FROM device_event WHERE event_type IN ('PLAY_START', 'PLAY_END') AND event_id IN (SELECT event_id FROM proof_of_play);

CREATE INDEX proof_of_play_by_device ON proof_of_play (device_id, sequence);

-- A play as the event it came in: the payload it was counted from, and the event time of other
-- events (the device's, or the appliance's when the play's clock was plainly wrong, spec 30.9).
-- A plain view, so a query on it still uses proof_of_play_by_device.
CREATE VIEW play_event AS
    SELECT event_id, device_id, venue_id, sequence, event_type, severity,
        CASE WHEN clock_suspect = 1 THEN server_received_utc ELSE device_time_utc END AS event_time_utc,
        server_received_utc AS received_at_utc, clock_suspect,
        json_object('playlistId', playlist_id, 'assetId', asset_id, 'startedAtUtc', started_at_utc, 'durationMs', duration_ms, 'result', result) AS payload_json
    FROM proof_of_play;

-- Every event a screen sent, plays included. Its ORDER BY … LIMIT reads every row of the screen
-- (SQLite sorts a compound view), so paged and "newest N" readers query the two sides apiece.
CREATE VIEW device_event_log AS
    SELECT event_id, device_id, venue_id, sequence, event_type, severity, event_time_utc, received_at_utc, clock_suspect, payload_json
    FROM device_event
    UNION ALL
    SELECT event_id, device_id, venue_id, sequence, event_type, severity, event_time_utc, received_at_utc, clock_suspect, payload_json
    FROM play_event;

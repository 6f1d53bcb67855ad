-- 0010: a play is stored once, in proof_of_play, instead of also as a device_event row (issue 5,
-- docs/PERFORMANCE.md). Per play that saves three B-tree inserts (device_event's row, its key and
-- its (device, sequence) index) and the payload text: half of what the event writer wrote per play.
-- What read plays from device_event (the monitor's sequence-gap and plays-stopped checks, the
-- per-screen event list, the missing-sequence report) reads both tables through their
-- (device_id, sequence) indexes; device_event_log below is the two as one, for whoever wants that.

-- What a play's event carried besides the play itself.
ALTER TABLE proof_of_play ADD COLUMN sequence INTEGER NOT NULL DEFAULT 0;
ALTER TABLE proof_of_play ADD COLUMN severity TEXT NOT NULL DEFAULT 'INFO';

UPDATE proof_of_play SET sequence = e.sequence, severity = e.severity
FROM device_event e WHERE e.event_id = proof_of_play.event_id;

-- A play event whose play retention already removed stays where it is (the log below shows it once).
DELETE FROM device_event WHERE event_type IN ('PLAY_START', 'PLAY_END') AND event_id IN (SELECT event_id FROM proof_of_play);

CREATE INDEX proof_of_play_by_device ON proof_of_play (device_id, sequence);

-- Every event a screen sent: its other events as stored, and its plays with the payload they were
-- counted from. The event time of a play is the device's, or the appliance's when the play's clock
-- was plainly wrong (spec 30.9), as for other events.
CREATE VIEW device_event_log AS
    SELECT event_id, device_id, venue_id, sequence, event_type, severity, event_time_utc, received_at_utc, clock_suspect, payload_json
    FROM device_event
    UNION ALL
    SELECT event_id, device_id, venue_id, sequence, event_type, severity,
        CASE WHEN clock_suspect = 1 THEN server_received_utc ELSE device_time_utc END, server_received_utc, clock_suspect,
        json_object('playlistId', playlist_id, 'assetId', asset_id, 'startedAtUtc', started_at_utc, 'durationMs', duration_ms, 'result', result)
    FROM proof_of_play;

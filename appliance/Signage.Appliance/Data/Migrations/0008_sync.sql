-- 0008: appliance <-> hub sync (docs/ARCHITECTURE.md "Protocols" 2 and 3): the outbox of what
-- goes up, the hub connection, and the marks of hub-owned replicas.

-- Everything that must reach the hub, written by triggers in the SAME transaction as the fact, so
-- no write path can forget it. Rows are written whether or not the appliance is enrolled: an
-- appliance that enrolls later uploads its history (a standalone one trims rows older than
-- Hub:OutboxRetentionDays). The sender reads oldest first (seq) and deletes a row only after the
-- hub acknowledged its batch.
CREATE TABLE outbox (
    seq              INTEGER PRIMARY KEY AUTOINCREMENT,
    -- Unique forever; the hub stores each record id once.
    record_id        TEXT NOT NULL UNIQUE,
    kind             TEXT NOT NULL,
    -- What the record is about (device id, playlist id, ...) for "latest wins" kinds: a newer
    -- DEVICE_STATUS or replica replaces an unsent older one of the same entity.
    entity_id        TEXT,
    occurred_at_utc  TEXT NOT NULL,
    -- The record's data as JSON; NULL for a replica, rendered from the live row when sent (the
    -- same JSON the appliance's own API answers).
    data_json        TEXT
) STRICT;
CREATE INDEX outbox_latest ON outbox (kind, entity_id) WHERE entity_id IS NOT NULL;
CREATE INDEX outbox_by_time ON outbox (occurred_at_utc);

-- PLAY: each proof-of-play row (PLAY_START and PLAY_END; the hub counts PLAY_END), keyed by its event id.
CREATE TRIGGER outbox_play AFTER INSERT ON proof_of_play
BEGIN
    INSERT INTO outbox (record_id, kind, occurred_at_utc, data_json)
    VALUES (new.event_id, 'PLAY', new.started_at_utc, json_object(
        'eventId', new.event_id, 'eventType', new.event_type, 'deviceId', new.device_id, 'campaignId', new.campaign_id,
        'playlistId', new.playlist_id, 'assetId', new.asset_id, 'contentSha256', new.content_sha256,
        'deviceTimeUtc', new.device_time_utc, 'serverReceivedUtc', new.server_received_utc, 'startedAtUtc', new.started_at_utc,
        'localDate', new.local_date, 'durationMs', new.duration_ms, 'result', new.result,
        'clockSuspect', json(CASE WHEN new.clock_suspect = 1 THEN 'true' ELSE 'false' END)))
    ON CONFLICT (record_id) DO NOTHING;
END;

-- DEVICE_EVENT: every stored device event except plays, which already go up as PLAY records
-- (same event id; sending both would double the volume of the biggest stream).
CREATE TRIGGER outbox_device_event AFTER INSERT ON device_event
WHEN new.event_type NOT IN ('PLAY_START', 'PLAY_END')
BEGIN
    INSERT INTO outbox (record_id, kind, occurred_at_utc, data_json)
    VALUES (new.event_id, 'DEVICE_EVENT', new.event_time_utc, json_object(
        'eventId', new.event_id, 'deviceId', new.device_id, 'sequence', new.sequence, 'eventType', new.event_type,
        'severity', new.severity, 'eventTimeUtc', new.event_time_utc, 'receivedAtUtc', new.received_at_utc,
        'payload', json(new.payload_json)))
    ON CONFLICT (record_id) DO NOTHING;
END;

-- DEVICE_STATUS: on the first heartbeat, and when the state, the applied manifest or the online
-- status changes. Online is derived from the last heartbeat (DeviceStore.OnlineWindow, 3 minutes):
-- a heartbeat after a longer silence is the "back online" change; going offline writes nothing
-- here (nothing happens on the appliance) but opens an incident, which flows up as INCIDENT.
CREATE TRIGGER outbox_device_status_insert AFTER INSERT ON device_status
BEGIN
    DELETE FROM outbox WHERE kind = 'DEVICE_STATUS' AND entity_id = new.device_id;
    INSERT INTO outbox (record_id, kind, entity_id, occurred_at_utc, data_json)
    VALUES ('st_' || lower(hex(randomblob(16))), 'DEVICE_STATUS', new.device_id, new.last_seen_at_utc, json_object(
        'deviceId', new.device_id, 'name', (SELECT name FROM device WHERE device_id = new.device_id), 'status', 'ONLINE',
        'lastSeenAtUtc', new.last_seen_at_utc, 'state', new.state, 'appliedManifestEtag', new.applied_manifest_etag,
        'currentAssetId', new.current_asset_id, 'cacheUsedBytes', new.cache_used_bytes, 'cacheTotalBytes', new.cache_total_bytes));
END;

CREATE TRIGGER outbox_device_status_update AFTER UPDATE ON device_status
WHEN new.state IS NOT old.state OR new.applied_manifest_etag IS NOT old.applied_manifest_etag
    OR julianday(new.last_seen_at_utc) - julianday(old.last_seen_at_utc) > 180.0 / 86400
BEGIN
    DELETE FROM outbox WHERE kind = 'DEVICE_STATUS' AND entity_id = new.device_id;
    INSERT INTO outbox (record_id, kind, entity_id, occurred_at_utc, data_json)
    VALUES ('st_' || lower(hex(randomblob(16))), 'DEVICE_STATUS', new.device_id, new.last_seen_at_utc, json_object(
        'deviceId', new.device_id, 'name', (SELECT name FROM device WHERE device_id = new.device_id), 'status', 'ONLINE',
        'lastSeenAtUtc', new.last_seen_at_utc, 'state', new.state, 'appliedManifestEtag', new.applied_manifest_etag,
        'currentAssetId', new.current_asset_id, 'cacheUsedBytes', new.cache_used_bytes, 'cacheTotalBytes', new.cache_total_bytes));
END;

-- Replicas of venue-owned data: a mark per changed entity (an unsent older mark is replaced); the
-- sender renders the entity's current API JSON when it sends (Sync/Replicas.cs).
CREATE TRIGGER outbox_screen_insert AFTER INSERT ON device
BEGIN
    DELETE FROM outbox WHERE kind = 'SCREEN' AND entity_id = new.device_id;
    INSERT INTO outbox (record_id, kind, entity_id, occurred_at_utc) VALUES ('scr_' || lower(hex(randomblob(16))), 'SCREEN', new.device_id, new.updated_at_utc);
END;
CREATE TRIGGER outbox_screen_update AFTER UPDATE ON device
WHEN new.row_version IS NOT old.row_version OR new.name IS NOT old.name OR new.group_id IS NOT old.group_id OR new.venue_id IS NOT old.venue_id
BEGIN
    DELETE FROM outbox WHERE kind = 'SCREEN' AND entity_id = new.device_id;
    INSERT INTO outbox (record_id, kind, entity_id, occurred_at_utc) VALUES ('scr_' || lower(hex(randomblob(16))), 'SCREEN', new.device_id, new.updated_at_utc);
END;
CREATE TRIGGER outbox_playlist_published AFTER INSERT ON playlist_published
BEGIN
    DELETE FROM outbox WHERE kind = 'PLAYLIST' AND entity_id = new.playlist_id;
    INSERT INTO outbox (record_id, kind, entity_id, occurred_at_utc) VALUES ('pl_' || lower(hex(randomblob(16))), 'PLAYLIST', new.playlist_id, new.published_at_utc);
END;
CREATE TRIGGER outbox_schedule_published AFTER INSERT ON schedule_published
BEGIN
    DELETE FROM outbox WHERE kind = 'SCHEDULE' AND entity_id = new.venue_id;
    INSERT INTO outbox (record_id, kind, entity_id, occurred_at_utc) VALUES ('sch_' || lower(hex(randomblob(16))), 'SCHEDULE', new.venue_id, new.published_at_utc);
END;
CREATE TRIGGER outbox_incident_insert AFTER INSERT ON incident
BEGIN
    DELETE FROM outbox WHERE kind = 'INCIDENT' AND entity_id = new.incident_id;
    INSERT INTO outbox (record_id, kind, entity_id, occurred_at_utc) VALUES ('inc_' || lower(hex(randomblob(16))), 'INCIDENT', new.incident_id, new.opened_at_utc);
END;
CREATE TRIGGER outbox_incident_update AFTER UPDATE ON incident
WHEN new.resolved_at_utc IS NOT old.resolved_at_utc OR new.severity IS NOT old.severity OR new.details_json IS NOT old.details_json
BEGIN
    DELETE FROM outbox WHERE kind = 'INCIDENT' AND entity_id = new.incident_id;
    INSERT INTO outbox (record_id, kind, entity_id, occurred_at_utc)
    VALUES ('inc_' || lower(hex(randomblob(16))), 'INCIDENT', new.incident_id, COALESCE(new.resolved_at_utc, new.opened_at_utc));
END;

-- The hub this appliance is enrolled with (at most one row; none while standalone). The credential
-- is the appliance's secret for every sync call: kept here (the data directory is 0700 and the
-- database written only by transactions), never shown again.
CREATE TABLE hub_connection (
    singleton                  INTEGER PRIMARY KEY CHECK (singleton = 1),
    hub_url                    TEXT NOT NULL,
    credential                 TEXT NOT NULL,
    appliance_id               TEXT NOT NULL,
    hub_tenant_id              TEXT NOT NULL,
    hub_venue_id               TEXT NOT NULL,
    -- The appliance's own venue: it keeps its id; the hub's venue id is remembered above.
    venue_id                   TEXT NOT NULL REFERENCES venue (venue_id),
    enrolled_at_utc            TEXT NOT NULL,
    -- Change feed position, stored in the same transaction as each applied page.
    change_cursor              INTEGER NOT NULL DEFAULT 0,
    last_sync_at_utc           TEXT,
    last_error                 TEXT,
    last_error_at_utc          TEXT
) STRICT;

-- Hub-owned replicas: users from the hub keep the hub's id here (a local user with the same email
-- is adopted, so the first admin keeps their sessions); assets and playlists from the hub's
-- shared library are read-only at the venue.
ALTER TABLE user_account ADD COLUMN hub_user_id TEXT;
CREATE UNIQUE INDEX user_by_hub_id ON user_account (hub_user_id) WHERE hub_user_id IS NOT NULL;
ALTER TABLE asset ADD COLUMN origin TEXT NOT NULL DEFAULT 'VENUE' CHECK (origin IN ('VENUE', 'HUB'));
ALTER TABLE playlist ADD COLUMN origin TEXT NOT NULL DEFAULT 'VENUE' CHECK (origin IN ('VENUE', 'HUB'));

-- A shared playlist as the hub published it; copied into playlist/playlist_published once all its
-- assets are READY here (a screen can only play what the venue holds).
CREATE TABLE hub_playlist (
    playlist_id      TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    version          INTEGER NOT NULL,
    items_json       TEXT NOT NULL,
    applied_version  INTEGER,
    deleted          INTEGER NOT NULL DEFAULT 0
) STRICT;

-- 0006: proof-of-play (control-plane seed 001): an append-only log of plays, daily aggregates kept
-- in the same transaction as the log, and self-opening, self-resolving incidents.

CREATE TABLE proof_of_play (
    event_id             TEXT PRIMARY KEY,
    event_type           TEXT NOT NULL CHECK (event_type IN ('PLAY_START', 'PLAY_END')),
    device_id            TEXT NOT NULL,
    venue_id             TEXT NOT NULL,
    campaign_id          TEXT,
    playlist_id          TEXT NOT NULL,
    asset_id             TEXT NOT NULL,
    -- The content version: the bytes played, by hash.
    content_sha256       TEXT,
    device_time_utc      TEXT NOT NULL,
    server_received_utc  TEXT NOT NULL,
    -- When the play started by the authoritative clock (the device's, unless it was plainly wrong).
    started_at_utc       TEXT NOT NULL,
    local_date           TEXT NOT NULL,
    duration_ms          INTEGER,
    result               TEXT CHECK (result IN ('COMPLETED', 'SKIPPED', 'ERROR', 'INTERRUPTED')),
    clock_suspect        INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX proof_of_play_by_venue_date ON proof_of_play (venue_id, local_date);

-- One row per venue-local day, campaign, content and screen; '' = no campaign.
CREATE TABLE proof_of_play_daily (
    venue_id           TEXT NOT NULL,
    local_date         TEXT NOT NULL,
    campaign_id        TEXT NOT NULL,
    asset_id           TEXT NOT NULL,
    device_id          TEXT NOT NULL,
    plays              INTEGER NOT NULL,
    total_duration_ms  INTEGER NOT NULL,
    PRIMARY KEY (venue_id, local_date, campaign_id, asset_id, device_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE incident (
    incident_id      TEXT PRIMARY KEY,
    venue_id         TEXT NOT NULL,
    device_id        TEXT NOT NULL,
    type             TEXT NOT NULL,
    severity         TEXT NOT NULL CHECK (severity IN ('INFO', 'WARNING', 'CRITICAL')),
    details_json     TEXT NOT NULL DEFAULT '{}',
    opened_at_utc    TEXT NOT NULL,
    resolved_at_utc  TEXT
) STRICT;
-- At most one open incident of a kind per screen.
CREATE UNIQUE INDEX incident_open ON incident (device_id, type) WHERE resolved_at_utc IS NULL;
CREATE INDEX incident_by_venue ON incident (venue_id, opened_at_utc);

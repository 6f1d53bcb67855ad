-- 0004: device groups, campaigns, playlists and the venue schedule set, each with a draft that
-- venue staff edit and immutable published versions that screens play (spec 15, 26.7, 26.8).
-- Assets are referenced by id without a foreign key: a draft may name an asset that was deleted
-- since; publishing checks that every asset exists and is READY.

CREATE TABLE device_group (
    group_id        TEXT PRIMARY KEY,
    venue_id        TEXT NOT NULL REFERENCES venue (venue_id),
    name            TEXT NOT NULL,
    created_at_utc  TEXT NOT NULL,
    updated_at_utc  TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX device_group_name ON device_group (venue_id, name COLLATE NOCASE);

-- Campaigns (control-plane seed 001): what proof-of-play reports group plays by.
CREATE TABLE campaign (
    campaign_id     TEXT PRIMARY KEY,
    venue_id        TEXT NOT NULL REFERENCES venue (venue_id),
    brand_name      TEXT NOT NULL,
    name            TEXT NOT NULL,
    start_date      TEXT,
    end_date        TEXT,
    created_at_utc  TEXT NOT NULL,
    updated_at_utc  TEXT NOT NULL
) STRICT;
CREATE INDEX campaign_by_venue ON campaign (venue_id);

CREATE TABLE playlist (
    playlist_id        TEXT PRIMARY KEY,
    venue_id           TEXT NOT NULL REFERENCES venue (venue_id),
    name               TEXT NOT NULL,
    campaign_id        TEXT REFERENCES campaign (campaign_id),
    -- Bumped by every draft change: the ETag.
    draft_version      INTEGER NOT NULL DEFAULT 1,
    -- The version screens play; NULL until first published.
    published_version  INTEGER,
    created_at_utc     TEXT NOT NULL,
    updated_at_utc     TEXT NOT NULL
) STRICT;
CREATE INDEX playlist_by_venue ON playlist (venue_id);

CREATE TABLE playlist_item (
    item_id      TEXT PRIMARY KEY,
    playlist_id  TEXT NOT NULL REFERENCES playlist (playlist_id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    asset_id     TEXT NOT NULL,
    duration_ms  INTEGER,
    enabled      INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    UNIQUE (playlist_id, position)
) STRICT;

CREATE TABLE playlist_published (
    playlist_id               TEXT NOT NULL REFERENCES playlist (playlist_id) ON DELETE CASCADE,
    version                   INTEGER NOT NULL,
    name                      TEXT NOT NULL,
    campaign_id               TEXT,
    published_at_utc          TEXT NOT NULL,
    published_by_user_id      TEXT,
    rolled_back_from_version  INTEGER,
    PRIMARY KEY (playlist_id, version)
) STRICT;

-- A published version's items are frozen with what a player needs (hash, type, duration).
CREATE TABLE playlist_published_item (
    playlist_id  TEXT NOT NULL,
    version      INTEGER NOT NULL,
    position     INTEGER NOT NULL,
    asset_id     TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    media_type   TEXT NOT NULL,
    duration_ms  INTEGER NOT NULL,
    PRIMARY KEY (playlist_id, version, position),
    FOREIGN KEY (playlist_id, version) REFERENCES playlist_published (playlist_id, version) ON DELETE CASCADE
) STRICT;
CREATE INDEX playlist_published_item_by_asset ON playlist_published_item (asset_id);

CREATE TABLE schedule_set (
    venue_id           TEXT PRIMARY KEY REFERENCES venue (venue_id),
    draft_version      INTEGER NOT NULL DEFAULT 1,
    published_version  INTEGER,
    updated_at_utc     TEXT NOT NULL
) STRICT;

CREATE TABLE schedule_slot (
    slot_id            TEXT PRIMARY KEY,
    venue_id           TEXT NOT NULL REFERENCES venue (venue_id),
    target_type        TEXT NOT NULL CHECK (target_type IN ('DEVICE', 'GROUP')),
    target_id          TEXT NOT NULL,
    playlist_id        TEXT NOT NULL,
    days_of_week_mask  INTEGER NOT NULL,
    start_minutes      INTEGER NOT NULL,
    end_minutes        INTEGER NOT NULL,
    priority           INTEGER NOT NULL DEFAULT 0,
    valid_from_date    TEXT,
    valid_to_date      TEXT,
    enabled            INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_at_utc     TEXT NOT NULL,
    updated_at_utc     TEXT NOT NULL
) STRICT;
CREATE INDEX schedule_slot_by_venue ON schedule_slot (venue_id);

CREATE TABLE schedule_published (
    venue_id                  TEXT NOT NULL REFERENCES venue (venue_id),
    version                   INTEGER NOT NULL,
    published_at_utc          TEXT NOT NULL,
    published_by_user_id      TEXT,
    rolled_back_from_version  INTEGER,
    PRIMARY KEY (venue_id, version)
) STRICT;

CREATE TABLE schedule_published_slot (
    venue_id           TEXT NOT NULL,
    version            INTEGER NOT NULL,
    slot_id            TEXT NOT NULL,
    target_type        TEXT NOT NULL,
    target_id          TEXT NOT NULL,
    playlist_id        TEXT NOT NULL,
    days_of_week_mask  INTEGER NOT NULL,
    start_minutes      INTEGER NOT NULL,
    end_minutes        INTEGER NOT NULL,
    priority           INTEGER NOT NULL,
    valid_from_date    TEXT,
    valid_to_date      TEXT,
    enabled            INTEGER NOT NULL,
    updated_at_utc     TEXT NOT NULL,
    PRIMARY KEY (venue_id, version, slot_id),
    FOREIGN KEY (venue_id, version) REFERENCES schedule_published (venue_id, version)
) STRICT;
CREATE INDEX schedule_published_slot_by_playlist ON schedule_published_slot (playlist_id);

-- Every publish and rollback of a playlist or the schedule (GET /v1/venues/{venueId}/publishes).
CREATE TABLE publish_event (
    publish_id      INTEGER PRIMARY KEY AUTOINCREMENT,
    venue_id        TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('PLAYLIST', 'SCHEDULE')),
    target_id       TEXT NOT NULL,
    version         INTEGER NOT NULL,
    action          TEXT NOT NULL CHECK (action IN ('PUBLISH', 'ROLLBACK')),
    actor_user_id   TEXT,
    created_at_utc  TEXT NOT NULL
) STRICT;
CREATE INDEX publish_event_by_venue ON publish_event (venue_id, publish_id);

-- 0003: the venue's media library (spec 13, 26.6): assets and their resumable upload sessions.
-- Bytes live on disk, not here: uploads/<upload_id>.part while arriving, then
-- blobs/<first 2 hex>/<sha256> (stored once per content) and thumbnails/<sha256>.jpg.

CREATE TABLE asset (
    asset_id                   TEXT PRIMARY KEY,
    tenant_id                  TEXT NOT NULL REFERENCES tenant (tenant_id),
    venue_id                   TEXT NOT NULL REFERENCES venue (venue_id),
    display_name               TEXT NOT NULL,
    -- The name the client gave; metadata only, never used as a path.
    file_name                  TEXT NOT NULL,
    status                     TEXT NOT NULL CHECK (status IN ('UPLOADING', 'PROCESSING', 'READY', 'FAILED')),
    -- Known once the bytes have been read (also on most failures, for the record).
    media_type                 TEXT CHECK (media_type IN ('IMAGE', 'VIDEO')),
    content_type               TEXT,
    -- Lowercase hex of the bytes received; names the blob of a READY asset.
    sha256                     TEXT,
    -- Declared at upload; equal to the bytes received once processing starts.
    size_bytes                 INTEGER NOT NULL CHECK (size_bytes > 0),
    width                      INTEGER,
    height                     INTEGER,
    duration_ms                INTEGER,
    failure_reason             TEXT,
    failure_detail             TEXT,
    created_by_user_id         TEXT,
    created_at_utc             TEXT NOT NULL,
    updated_at_utc             TEXT NOT NULL,
    -- When PROCESSING began: the 10-minute processing timeout counts from here (spec 13.5).
    processing_started_at_utc  TEXT,
    failed_at_utc              TEXT,
    ready_at_utc               TEXT,
    CHECK ((status = 'FAILED') = (failure_reason IS NOT NULL AND failed_at_utc IS NOT NULL)),
    CHECK (status <> 'READY' OR (sha256 IS NOT NULL AND media_type IS NOT NULL AND ready_at_utc IS NOT NULL))
) STRICT;
-- Newest first within a venue (asset ids are UUIDv7, so they sort by creation).
CREATE INDEX asset_by_venue ON asset (venue_id, asset_id);
-- Blob reference checks on delete.
CREATE INDEX asset_by_sha256 ON asset (sha256) WHERE sha256 IS NOT NULL;
-- The cleanup job's scans (timeouts, 30-day purge).
CREATE INDEX asset_by_status ON asset (status, updated_at_utc);

CREATE TABLE asset_upload (
    upload_id         TEXT PRIMARY KEY,
    asset_id          TEXT NOT NULL REFERENCES asset (asset_id) ON DELETE CASCADE,
    size_bytes        INTEGER NOT NULL CHECK (size_bytes > 0),
    -- Optional checksum the client declared (lowercase hex), checked against the bytes received.
    sha256            TEXT CHECK (sha256 IS NULL OR (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*')),
    -- Bytes durably in the part file (fsynced before this is written): where a resume starts.
    received_bytes    INTEGER NOT NULL DEFAULT 0 CHECK (received_bytes BETWEEN 0 AND size_bytes),
    state             TEXT NOT NULL CHECK (state IN ('OPEN', 'COMPLETED')),
    created_at_utc    TEXT NOT NULL,
    expires_at_utc    TEXT NOT NULL,
    completed_at_utc  TEXT
) STRICT;
CREATE INDEX asset_upload_by_asset ON asset_upload (asset_id);
CREATE INDEX asset_upload_by_expiry ON asset_upload (state, expires_at_utc);

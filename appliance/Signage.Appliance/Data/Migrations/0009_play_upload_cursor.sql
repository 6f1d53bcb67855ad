-- 0009: plays go up to the hub straight from proof_of_play, behind a cursor, instead of through an
-- outbox row per play (docs/PERFORMANCE.md, issues 5 and 8). Per play that saves three B-tree
-- inserts and a json_object at ingestion, and the drain no longer deletes a row per acknowledged
-- play: it advances one cursor per batch.

-- proof_of_play is rebuilt with an explicit key, play_seq, the order plays go up in. AUTOINCREMENT:
-- a play_seq is never handed out twice, even after the newest plays are deleted, so nothing can
-- appear below the cursor. An INTEGER PRIMARY KEY (unlike a bare rowid) also survives VACUUM.
-- The (venue_id, local_date) index is gone: no query reads it (reports read the rollups, retention
-- walks play_seq), and every index is one more B-tree insert per play.
CREATE TABLE proof_of_play_0009 (
    play_seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id             TEXT NOT NULL UNIQUE,
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
INSERT INTO proof_of_play_0009 (play_seq, event_id, event_type, device_id, venue_id, campaign_id, playlist_id, asset_id, content_sha256, device_time_utc,
    server_received_utc, started_at_utc, local_date, duration_ms, result, clock_suspect)
    SELECT rowid, event_id, event_type, device_id, venue_id, campaign_id, playlist_id, asset_id, content_sha256, device_time_utc,
        server_received_utc, started_at_utc, local_date, duration_ms, result, clock_suspect
    FROM proof_of_play ORDER BY rowid;

-- Plays sent to the hub (or, while standalone, trimmed from the history a later enrollment uploads):
-- every play_seq up to and including sent_through. Advanced in one UPDATE after the hub's 2xx.
CREATE TABLE play_upload (
    singleton     INTEGER PRIMARY KEY CHECK (singleton = 1),
    sent_through  INTEGER NOT NULL
) STRICT;

-- The outbox's PLAY rows were queued oldest first and deleted oldest first, so the unsent ones are
-- the newest plays: the cursor goes just below the oldest play still waiting (or past every play
-- when none waits). Their outbox rows are then covered by the cursor and dropped; a PLAY row whose
-- play is no longer in proof_of_play (retention) stays in the outbox and goes up from there.
INSERT INTO play_upload (singleton, sent_through)
    SELECT 1, COALESCE(
        (SELECT MIN(p.play_seq) - 1 FROM outbox o JOIN proof_of_play_0009 p ON p.event_id = o.record_id WHERE o.kind = 'PLAY'),
        (SELECT MAX(play_seq) FROM proof_of_play_0009),
        0);
DELETE FROM outbox WHERE kind = 'PLAY' AND record_id IN (SELECT event_id FROM proof_of_play_0009);

-- Dropping the old table drops its outbox_play trigger and its index with it.
DROP TABLE proof_of_play;
ALTER TABLE proof_of_play_0009 RENAME TO proof_of_play;

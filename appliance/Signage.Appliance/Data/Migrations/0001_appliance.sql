-- 0001: the appliance's own identity. Later features add their tables in later migrations.
-- Times are UTC, ISO-8601 text with a 'Z' (e.g. 2026-11-23T10:00:00.000Z).

CREATE TABLE appliance (
    -- Exactly one row: which appliance this database belongs to.
    singleton       INTEGER PRIMARY KEY CHECK (singleton = 1),
    appliance_id    TEXT NOT NULL,
    created_at_utc  TEXT NOT NULL
) STRICT;

INSERT INTO appliance (singleton, appliance_id, created_at_utc)
VALUES (1, lower(hex(randomblob(16))), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));

-- 0005: screens, pairing, their status, events and support commands (spec 26.4, 26.5, 26.10).

CREATE TABLE device (
    device_id                      TEXT PRIMARY KEY,
    tenant_id                      TEXT NOT NULL REFERENCES tenant (tenant_id),
    venue_id                       TEXT NOT NULL REFERENCES venue (venue_id),
    name                           TEXT NOT NULL,
    group_id                       TEXT REFERENCES device_group (group_id),
    hardware_id                    TEXT NOT NULL,
    manufacturer                   TEXT,
    model                          TEXT,
    os_version                     TEXT,
    app_version                    TEXT,
    timezone                       TEXT,
    run_mode                       TEXT NOT NULL DEFAULT 'KIOSK' CHECK (run_mode IN ('KIOSK', 'SHARED')),
    launch_on_boot                 INTEGER NOT NULL DEFAULT 1 CHECK (launch_on_boot IN (0, 1)),
    auto_relaunch                  INTEGER NOT NULL DEFAULT 1 CHECK (auto_relaunch IN (0, 1)),
    keep_awake                     INTEGER NOT NULL DEFAULT 1 CHECK (keep_awake IN (0, 1)),
    watchdog_return_to_foreground  INTEGER NOT NULL DEFAULT 1 CHECK (watchdog_return_to_foreground IN (0, 1)),
    orientation                    TEXT NOT NULL DEFAULT 'LANDSCAPE' CHECK (orientation IN ('LANDSCAPE', 'PORTRAIT')),
    cache_budget_bytes             INTEGER NOT NULL DEFAULT 2147483648 CHECK (cache_budget_bytes > 0),
    -- Part of every device token; bumped to revoke all of them at once (re-pair, move).
    token_version                  INTEGER NOT NULL DEFAULT 1,
    -- The ETag of PATCH /devices/{id}.
    row_version                    INTEGER NOT NULL DEFAULT 1,
    created_at_utc                 TEXT NOT NULL,
    updated_at_utc                 TEXT NOT NULL
) STRICT;
CREATE INDEX device_by_venue ON device (venue_id);
CREATE INDEX device_by_hardware ON device (venue_id, hardware_id);

-- What the screen last told us (heartbeat): the truth the dashboard shows.
CREATE TABLE device_status (
    device_id              TEXT PRIMARY KEY REFERENCES device (device_id) ON DELETE CASCADE,
    last_seen_at_utc       TEXT NOT NULL,
    state                  TEXT NOT NULL,
    applied_manifest_etag  TEXT,
    current_asset_id       TEXT,
    cache_used_bytes       INTEGER,
    cache_total_bytes      INTEGER,
    pending_downloads      INTEGER,
    heartbeat_json         TEXT NOT NULL,
    clock_skew_seconds     INTEGER
) STRICT;

CREATE TABLE device_pairing (
    pairing_id           TEXT PRIMARY KEY,
    code                 TEXT NOT NULL,
    secret_hash          TEXT NOT NULL,
    hardware_id          TEXT NOT NULL,
    device_info_json     TEXT NOT NULL DEFAULT '{}',
    status               TEXT NOT NULL CHECK (status IN ('PENDING', 'CLAIMED', 'COMPLETED', 'EXPIRED')),
    expires_at_utc       TEXT NOT NULL,
    claimed_by_user_id   TEXT,
    claimed_venue_id     TEXT,
    resulting_device_id  TEXT,
    created_at_utc       TEXT NOT NULL,
    updated_at_utc       TEXT NOT NULL
) STRICT;
-- A code is unique among the pairings that can still be claimed.
CREATE UNIQUE INDEX device_pairing_pending_code ON device_pairing (code) WHERE status = 'PENDING';

-- Every event a screen sent, once (the device-made event id is the key).
CREATE TABLE device_event (
    event_id          TEXT PRIMARY KEY,
    device_id         TEXT NOT NULL,
    venue_id          TEXT NOT NULL,
    sequence          INTEGER NOT NULL,
    event_type        TEXT NOT NULL,
    severity          TEXT NOT NULL,
    event_time_utc    TEXT NOT NULL,
    received_at_utc   TEXT NOT NULL,
    -- 1 when the device clock was plainly wrong; received_at_utc is then authoritative (spec 30.9).
    clock_suspect     INTEGER NOT NULL DEFAULT 0,
    payload_json      TEXT NOT NULL DEFAULT '{}'
) STRICT;
CREATE INDEX device_event_by_device ON device_event (device_id, sequence);

CREATE TABLE device_command (
    command_id          TEXT PRIMARY KEY,
    device_id           TEXT NOT NULL REFERENCES device (device_id) ON DELETE CASCADE,
    venue_id            TEXT NOT NULL,
    command_type        TEXT NOT NULL,
    parameters_json     TEXT,
    status              TEXT NOT NULL CHECK (status IN ('PENDING', 'DELIVERED', 'SUCCEEDED', 'FAILED', 'EXPIRED')),
    issued_by_user_id   TEXT,
    issued_at_utc       TEXT NOT NULL,
    expires_at_utc      TEXT NOT NULL,
    delivered_at_utc    TEXT,
    completed_at_utc    TEXT,
    result_message      TEXT,
    result_json         TEXT
) STRICT;
CREATE INDEX device_command_by_device ON device_command (device_id, status);

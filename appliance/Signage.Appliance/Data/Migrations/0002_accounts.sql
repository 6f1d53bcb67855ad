-- 0002: tenant, the venue this appliance serves, people, their roles, refresh tokens, audit log.
-- In standalone mode the appliance owns these rows; once enrolled, the hub does (read-only here).

CREATE TABLE tenant (
    tenant_id            TEXT PRIMARY KEY,
    name                 TEXT NOT NULL,
    default_timezone     TEXT,
    default_playlist_id  TEXT,
    created_at_utc       TEXT NOT NULL
) STRICT;

CREATE TABLE venue (
    venue_id              TEXT PRIMARY KEY,
    tenant_id             TEXT NOT NULL REFERENCES tenant (tenant_id),
    name                  TEXT NOT NULL,
    timezone              TEXT NOT NULL,
    -- JSON array of {day: 1-7 (ISO, Monday = 1), openMinutes, closeMinutes}
    opening_hours_json    TEXT NOT NULL DEFAULT '[]',
    fallback_playlist_id  TEXT,
    -- Bumped on every change of the record: the ETag of GET /v1/venues/{venueId}.
    row_version           INTEGER NOT NULL DEFAULT 1,
    -- Bumped whenever anything that affects playback changes (spec 26.9).
    manifest_epoch        INTEGER NOT NULL DEFAULT 0,
    created_at_utc        TEXT NOT NULL,
    updated_at_utc        TEXT NOT NULL
) STRICT;
CREATE INDEX venue_by_tenant ON venue (tenant_id);

CREATE TABLE user_account (
    user_id         TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenant (tenant_id),
    email           TEXT NOT NULL COLLATE NOCASE UNIQUE,
    display_name    TEXT NOT NULL,
    password_hash   TEXT NOT NULL,
    disabled        INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at_utc  TEXT NOT NULL
) STRICT;
CREATE INDEX user_by_tenant ON user_account (tenant_id);

CREATE TABLE tenant_user_role (
    user_id  TEXT NOT NULL REFERENCES user_account (user_id) ON DELETE CASCADE,
    role     TEXT NOT NULL CHECK (role IN ('TENANT_ADMIN', 'TENANT_VIEWER')),
    PRIMARY KEY (user_id, role)
) STRICT;

CREATE TABLE venue_user_role (
    venue_id  TEXT NOT NULL REFERENCES venue (venue_id) ON DELETE CASCADE,
    user_id   TEXT NOT NULL REFERENCES user_account (user_id) ON DELETE CASCADE,
    role      TEXT NOT NULL CHECK (role IN ('VENUE_MANAGER', 'VENUE_EDITOR', 'VENUE_VIEWER')),
    PRIMARY KEY (venue_id, user_id)
) STRICT;

-- Refresh tokens are stored as SHA-256 hashes. Each refresh replaces the token with a new one
-- of the same family; presenting a replaced token again revokes the whole family (token theft).
CREATE TABLE refresh_token (
    token_hash        TEXT PRIMARY KEY,
    user_id           TEXT NOT NULL REFERENCES user_account (user_id) ON DELETE CASCADE,
    family_id         TEXT NOT NULL,
    issued_at_utc     TEXT NOT NULL,
    expires_at_utc    TEXT NOT NULL,
    replaced_at_utc   TEXT,
    revoked_at_utc    TEXT
) STRICT;
CREATE INDEX refresh_token_by_family ON refresh_token (family_id);

CREATE TABLE audit_log (
    audit_id        INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id       TEXT,
    venue_id        TEXT,
    actor_user_id   TEXT,
    action          TEXT NOT NULL,
    target_type     TEXT,
    target_id       TEXT,
    details_json    TEXT NOT NULL DEFAULT '{}',
    created_at_utc  TEXT NOT NULL
) STRICT;
CREATE INDEX audit_by_venue ON audit_log (venue_id, audit_id);

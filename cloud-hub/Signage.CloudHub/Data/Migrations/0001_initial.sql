-- The hub's schema. Every tenant-owned row carries tenant_id, and every query filters by it
-- (spec 25.6). Times are timestamptz in UTC.

-- Hub-wide settings shared by every replica (the JWT signing key).
CREATE TABLE hub_setting (
    name  text PRIMARY KEY,
    value text NOT NULL
);

CREATE TABLE tenant (
    tenant_id  text PRIMARY KEY,
    name       text NOT NULL,
    created_at timestamptz NOT NULL
);

CREATE TABLE venue (
    venue_id           text PRIMARY KEY,
    tenant_id          text NOT NULL REFERENCES tenant,
    name               text NOT NULL,
    timezone           text NOT NULL,
    opening_hours      jsonb NOT NULL DEFAULT '[]',
    -- The id the venue's appliance gave it before enrollment (adoption): replicas are matched by it.
    appliance_venue_id text,
    updated_at         timestamptz NOT NULL
);
CREATE INDEX venue_by_tenant ON venue (tenant_id, name);

-- People. Platform admins have no tenant; everyone else belongs to exactly one.
CREATE TABLE user_account (
    user_id        text PRIMARY KEY,
    tenant_id      text REFERENCES tenant,
    email          text NOT NULL,
    display_name   text NOT NULL,
    password_hash  text NOT NULL,
    disabled       boolean NOT NULL DEFAULT false,
    platform_admin boolean NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL,
    CHECK (platform_admin = (tenant_id IS NULL))
);
CREATE UNIQUE INDEX user_account_email ON user_account (lower(email));
CREATE INDEX user_account_by_tenant ON user_account (tenant_id);

CREATE TABLE tenant_user_role (
    user_id text NOT NULL REFERENCES user_account ON DELETE CASCADE,
    role    text NOT NULL CHECK (role IN ('TENANT_ADMIN', 'TENANT_VIEWER')),
    PRIMARY KEY (user_id, role)
);

CREATE TABLE venue_user_role (
    user_id  text NOT NULL REFERENCES user_account ON DELETE CASCADE,
    venue_id text NOT NULL REFERENCES venue ON DELETE CASCADE,
    role     text NOT NULL CHECK (role IN ('VENUE_MANAGER', 'VENUE_EDITOR', 'VENUE_VIEWER')),
    PRIMARY KEY (user_id, venue_id)
);

CREATE TABLE user_capability (
    user_id    text NOT NULL REFERENCES user_account ON DELETE CASCADE,
    capability text NOT NULL,
    PRIMARY KEY (user_id, capability)
);

-- Refresh tokens: stored as SHA-256; one use each, a replayed one revokes its family.
CREATE TABLE refresh_token (
    token_hash  text PRIMARY KEY,
    user_id     text NOT NULL REFERENCES user_account ON DELETE CASCADE,
    family_id   text NOT NULL,
    issued_at   timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    replaced_at timestamptz,
    revoked_at  timestamptz
);
CREATE INDEX refresh_token_family ON refresh_token (family_id);

-- One-time enrollment codes, stored as SHA-256.
CREATE TABLE enrollment_code (
    code_hash    text PRIMARY KEY,
    tenant_id    text NOT NULL REFERENCES tenant,
    venue_id     text NOT NULL REFERENCES venue,
    created_by   text NOT NULL,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    redeemed_at  timestamptz,
    appliance_id text
);

-- Enrolled appliances. The credential is stored as SHA-256 (it is 256 random bits).
CREATE TABLE appliance (
    appliance_id       text PRIMARY KEY,
    tenant_id          text NOT NULL REFERENCES tenant,
    venue_id           text NOT NULL REFERENCES venue,
    credential_hash    text NOT NULL UNIQUE,
    appliance_version  text NOT NULL,
    appliance_venue_id text NOT NULL,
    enrolled_at        timestamptz NOT NULL,
    last_contact_at    timestamptz,
    backlog            bigint NOT NULL DEFAULT 0
);
CREATE INDEX appliance_by_tenant ON appliance (tenant_id, venue_id);

-- The change feed of hub-owned data (sync down). venue_id NULL = for every venue of the tenant.
-- Writers take a per-tenant advisory lock before inserting, so sequence order is commit order and
-- a reader never skips a change that commits late.
CREATE TABLE change_log (
    sequence   bigserial PRIMARY KEY,
    tenant_id  text NOT NULL,
    venue_id   text,
    kind       text NOT NULL,
    entity_id  text NOT NULL,
    operation  text NOT NULL CHECK (operation IN ('UPSERT', 'DELETE')),
    data       jsonb,
    created_at timestamptz NOT NULL
);
CREATE INDEX change_log_feed ON change_log (tenant_id, sequence);

-- The tenant-shared library.
CREATE TABLE asset (
    asset_id     text PRIMARY KEY,
    tenant_id    text NOT NULL REFERENCES tenant,
    display_name text NOT NULL,
    media_type   text NOT NULL,
    mime_type    text NOT NULL,
    sha256       text NOT NULL,
    size_bytes   bigint NOT NULL,
    width        integer,
    height       integer,
    duration_ms  bigint,
    created_at   timestamptz NOT NULL,
    deleted_at   timestamptz
);
CREATE INDEX asset_by_tenant ON asset (tenant_id, created_at);
CREATE INDEX asset_by_sha ON asset (sha256);

CREATE TABLE library_playlist (
    playlist_id       text PRIMARY KEY,
    tenant_id         text NOT NULL REFERENCES tenant,
    name              text NOT NULL,
    draft_version     bigint NOT NULL,
    items             jsonb NOT NULL DEFAULT '[]',
    published_version bigint,
    updated_at        timestamptz NOT NULL
);
CREATE INDEX library_playlist_by_tenant ON library_playlist (tenant_id, name);

CREATE TABLE library_playlist_version (
    playlist_id           text NOT NULL REFERENCES library_playlist ON DELETE CASCADE,
    version               bigint NOT NULL,
    items                 jsonb NOT NULL,
    published_at          timestamptz NOT NULL,
    published_by          text NOT NULL,
    rolled_back_from      bigint,
    PRIMARY KEY (playlist_id, version)
);

-- Proof of play from every appliance: append-only, partitioned by month of the venue-local date
-- (partitions are created as batches need them). A record id is stored once per venue; the key
-- includes local_date because a partitioned table's unique key must, and a resent record carries
-- the same local_date.
CREATE TABLE play (
    venue_id       text NOT NULL,
    record_id      text NOT NULL,
    local_date     date NOT NULL,
    tenant_id      text NOT NULL,
    appliance_id   text NOT NULL,
    event_id       text NOT NULL,
    event_type     text NOT NULL,
    device_id      text NOT NULL,
    campaign_id    text,
    playlist_id    text NOT NULL,
    asset_id       text NOT NULL,
    content_sha256 text,
    started_at     timestamptz NOT NULL,
    duration_ms    bigint,
    result         text,
    clock_suspect  boolean NOT NULL,
    received_at    timestamptz NOT NULL,
    PRIMARY KEY (venue_id, record_id, local_date)
) PARTITION BY RANGE (local_date);

-- Daily aggregates, kept in the same transaction as the plays they count (PLAY_END rows only).
-- campaign_id '' = no campaign (a key column cannot be NULL).
CREATE TABLE play_daily (
    tenant_id         text NOT NULL,
    venue_id          text NOT NULL,
    local_date        date NOT NULL,
    campaign_id       text NOT NULL,
    asset_id          text NOT NULL,
    device_id         text NOT NULL,
    plays             bigint NOT NULL,
    total_duration_ms bigint NOT NULL,
    PRIMARY KEY (venue_id, local_date, campaign_id, asset_id, device_id)
);
CREATE INDEX play_daily_by_tenant ON play_daily (tenant_id, local_date);

CREATE TABLE device_event (
    venue_id     text NOT NULL,
    record_id    text NOT NULL,
    tenant_id    text NOT NULL,
    appliance_id text NOT NULL,
    event_id     text NOT NULL,
    device_id    text NOT NULL,
    sequence     bigint NOT NULL,
    event_type   text NOT NULL,
    severity     text NOT NULL,
    event_time   timestamptz NOT NULL,
    payload      jsonb NOT NULL,
    received_at  timestamptz NOT NULL,
    PRIMARY KEY (venue_id, record_id)
);

-- Latest status of each screen (latest occurred_at wins).
CREATE TABLE device_status (
    venue_id    text NOT NULL,
    device_id   text NOT NULL,
    tenant_id   text NOT NULL,
    name        text NOT NULL,
    status      text NOT NULL,
    last_seen_at timestamptz,
    data        jsonb NOT NULL,
    occurred_at timestamptz NOT NULL,
    record_id   text NOT NULL,
    PRIMARY KEY (venue_id, device_id)
);

-- Read-only replicas of venue-owned data (SCREEN, PLAYLIST, SCHEDULE, INCIDENT); latest wins.
CREATE TABLE venue_replica (
    venue_id    text NOT NULL,
    kind        text NOT NULL,
    entity_id   text NOT NULL,
    tenant_id   text NOT NULL,
    data        jsonb NOT NULL,
    occurred_at timestamptz NOT NULL,
    record_id   text NOT NULL,
    PRIMARY KEY (venue_id, kind, entity_id)
);

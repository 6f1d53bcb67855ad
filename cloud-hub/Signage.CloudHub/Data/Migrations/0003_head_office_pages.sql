-- Head-office pages (browser sessions, antiforgery keys) and library thumbnails. Everything a
-- replica needs is in the database, so any replica serves any page.

-- A signed-in browser: the cookie holds 256 random bits; only their SHA-256 is stored. Signing out
-- (or disabling the user) ends the session at once.
CREATE TABLE web_session (
    token_hash text PRIMARY KEY,
    user_id    text NOT NULL REFERENCES user_account ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz
);
CREATE INDEX web_session_by_user ON web_session (user_id);

-- ASP.NET Core data-protection keys (they sign antiforgery tokens), shared by every replica.
CREATE TABLE data_protection_key (
    name text PRIMARY KEY,
    xml  text NOT NULL
);

-- A 320-pixel-wide JPEG of each library content (a few kB), made at upload; one per SHA-256.
CREATE TABLE asset_thumbnail (
    sha256 text PRIMARY KEY,
    jpeg   bytea NOT NULL
);

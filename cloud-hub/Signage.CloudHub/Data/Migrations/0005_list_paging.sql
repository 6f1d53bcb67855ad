-- 0005: every JSON list pages by keyset (spec 27.1, issue 16): WHERE <filter> AND (sort key..., id) > (cursor)
-- ORDER BY sort key..., id LIMIT n. Each index below is that filter then that order, ending in the id, so
-- a page is one index range however deep it is; each replaces the index that stopped before the id.
CREATE INDEX tenant_by_name ON tenant (name, tenant_id);

DROP INDEX venue_by_tenant;
CREATE INDEX venue_by_tenant ON venue (tenant_id, name, venue_id);

DROP INDEX user_account_by_tenant;
CREATE INDEX user_account_by_tenant ON user_account (tenant_id, lower(email), user_id);

-- The list skips deleted assets; they are few, so one index serves the list and the other tenant lookups.
DROP INDEX asset_by_tenant;
CREATE INDEX asset_by_tenant ON asset (tenant_id, created_at, asset_id);

DROP INDEX library_playlist_by_tenant;
CREATE INDEX library_playlist_by_tenant ON library_playlist (tenant_id, name, playlist_id);

-- The fleet pages by venue name then appliance id: venue_by_tenant gives that order, appliance_by_tenant
-- finds each venue's appliance.

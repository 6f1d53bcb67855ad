-- 0004: a play is a COMPLETED PLAY_END (issue 16). Until now every PLAY_END added to plays and
-- total_duration_ms, so a skipped corrupt file (0 ms) or a failed video was billed as a play. From
-- here plays and total_duration_ms count COMPLETED only, and the other results get columns of their
-- own: interrupted (with the milliseconds shown before the cut), failed (ERROR) and skipped.
ALTER TABLE play_daily
    ADD COLUMN interrupted bigint NOT NULL DEFAULT 0,
    ADD COLUMN interrupted_duration_ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN failed bigint NOT NULL DEFAULT 0,
    ADD COLUMN skipped bigint NOT NULL DEFAULT 0;

-- The hub keeps every play it was sent (play is append-only, nothing deletes from it), so the
-- aggregates are rebuilt from it exactly, in the one transaction the migrator runs in.
DELETE FROM play_daily;
INSERT INTO play_daily (tenant_id, venue_id, local_date, campaign_id, asset_id, device_id, plays, total_duration_ms,
    interrupted, interrupted_duration_ms, failed, skipped)
SELECT tenant_id, venue_id, local_date, coalesce(campaign_id, ''), asset_id, device_id,
    count(*) FILTER (WHERE result = 'COMPLETED'), coalesce(sum(duration_ms) FILTER (WHERE result = 'COMPLETED'), 0),
    count(*) FILTER (WHERE result = 'INTERRUPTED'), coalesce(sum(duration_ms) FILTER (WHERE result = 'INTERRUPTED'), 0),
    count(*) FILTER (WHERE result = 'ERROR'), count(*) FILTER (WHERE result = 'SKIPPED')
FROM play WHERE event_type = 'PLAY_END'
GROUP BY tenant_id, venue_id, local_date, coalesce(campaign_id, ''), asset_id, device_id;

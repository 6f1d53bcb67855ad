-- 0007: what the monitor needs to notice a frozen screen (PLAYBACK_STUCK): since when a screen's
-- heartbeats have named the same item of the same loop; and the report rollups.

-- playlist, published version, item index, loop count and asset, as the heartbeat gave them.
ALTER TABLE device_status ADD COLUMN current_item_key TEXT;
ALTER TABLE device_status ADD COLUMN current_item_since_utc TEXT;

-- Report rollups: the daily aggregates summed over one dimension at a time (campaign, content,
-- device, day), kept in the same transaction as the log and proof_of_play_daily. A year's report
-- then reads one row per day and campaign (or content, or screen), not one per day × campaign ×
-- content × screen: ~18k rows for 50 screens instead of ~365k (docs/PERFORMANCE.md).
-- key: the campaign id ('' = none), asset id, device id, or the date itself for 'day'.
CREATE TABLE proof_of_play_rollup (
    venue_id           TEXT NOT NULL,
    dimension          TEXT NOT NULL CHECK (dimension IN ('campaign', 'content', 'device', 'day')),
    local_date         TEXT NOT NULL,
    key                TEXT NOT NULL,
    plays              INTEGER NOT NULL,
    total_duration_ms  INTEGER NOT NULL,
    PRIMARY KEY (venue_id, dimension, local_date, key)
) STRICT, WITHOUT ROWID;

INSERT INTO proof_of_play_rollup (venue_id, dimension, local_date, key, plays, total_duration_ms)
    SELECT venue_id, 'campaign', local_date, campaign_id, SUM(plays), SUM(total_duration_ms) FROM proof_of_play_daily GROUP BY venue_id, local_date, campaign_id
    UNION ALL
    SELECT venue_id, 'content', local_date, asset_id, SUM(plays), SUM(total_duration_ms) FROM proof_of_play_daily GROUP BY venue_id, local_date, asset_id
    UNION ALL
    SELECT venue_id, 'device', local_date, device_id, SUM(plays), SUM(total_duration_ms) FROM proof_of_play_daily GROUP BY venue_id, local_date, device_id
    UNION ALL
    SELECT venue_id, 'day', local_date, local_date, SUM(plays), SUM(total_duration_ms) FROM proof_of_play_daily GROUP BY venue_id, local_date;

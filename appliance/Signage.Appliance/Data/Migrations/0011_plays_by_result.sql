-- 0011: a play is a COMPLETED PLAY_END (issue 16). Until now every PLAY_END added to plays and
-- total_duration_ms, so a skipped corrupt file (0 ms) or a failed video was billed as a play. From
-- here plays and total_duration_ms count COMPLETED only, and the other results get columns of their
-- own: interrupted (with the milliseconds shown before the cut), failed (ERROR) and skipped.

ALTER TABLE proof_of_play_daily ADD COLUMN interrupted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE proof_of_play_daily ADD COLUMN interrupted_duration_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE proof_of_play_daily ADD COLUMN failed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE proof_of_play_daily ADD COLUMN skipped INTEGER NOT NULL DEFAULT 0;
ALTER TABLE proof_of_play_rollup ADD COLUMN interrupted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE proof_of_play_rollup ADD COLUMN interrupted_duration_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE proof_of_play_rollup ADD COLUMN failed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE proof_of_play_rollup ADD COLUMN skipped INTEGER NOT NULL DEFAULT 0;

-- The daily aggregates, rebuilt from the raw PLAY_ENDs still kept. Retention deletes raw plays after
-- Retention:ProofOfPlayDays but keeps the aggregates, so a key may count more PLAY_ENDs than the log
-- still holds: those, whose result nobody can know any more, stay counted as they were billed (plays
-- and duration), and only the PLAY_ENDs still in the log are moved to the column of their result.
-- A key whose raw plays are all kept is therefore rebuilt exactly.
UPDATE proof_of_play_daily AS d SET
    plays = d.plays - raw.ends + raw.completed,
    total_duration_ms = d.total_duration_ms - raw.ms + raw.completed_ms,
    interrupted = raw.interrupted, interrupted_duration_ms = raw.interrupted_ms, failed = raw.failed, skipped = raw.skipped
FROM (
    SELECT venue_id, local_date, COALESCE(campaign_id, '') AS campaign_id, asset_id, device_id,
        COUNT(*) AS ends, SUM(COALESCE(duration_ms, 0)) AS ms,
        SUM(result = 'COMPLETED') AS completed, SUM(CASE WHEN result = 'COMPLETED' THEN COALESCE(duration_ms, 0) ELSE 0 END) AS completed_ms,
        SUM(result = 'INTERRUPTED') AS interrupted, SUM(CASE WHEN result = 'INTERRUPTED' THEN COALESCE(duration_ms, 0) ELSE 0 END) AS interrupted_ms,
        SUM(result = 'ERROR') AS failed, SUM(result = 'SKIPPED') AS skipped
    FROM proof_of_play WHERE event_type = 'PLAY_END'
    GROUP BY venue_id, local_date, COALESCE(campaign_id, ''), asset_id, device_id
) AS raw
WHERE d.venue_id = raw.venue_id AND d.local_date = raw.local_date AND d.campaign_id = raw.campaign_id AND d.asset_id = raw.asset_id
    AND d.device_id = raw.device_id;

-- The rollups are the daily aggregates summed over one dimension (0007): rebuilt from them.
DELETE FROM proof_of_play_rollup;
INSERT INTO proof_of_play_rollup (venue_id, dimension, local_date, key, plays, total_duration_ms, interrupted, interrupted_duration_ms, failed, skipped)
    SELECT venue_id, 'campaign', local_date, campaign_id, SUM(plays), SUM(total_duration_ms), SUM(interrupted), SUM(interrupted_duration_ms), SUM(failed), SUM(skipped)
    FROM proof_of_play_daily GROUP BY venue_id, local_date, campaign_id
    UNION ALL
    SELECT venue_id, 'content', local_date, asset_id, SUM(plays), SUM(total_duration_ms), SUM(interrupted), SUM(interrupted_duration_ms), SUM(failed), SUM(skipped)
    FROM proof_of_play_daily GROUP BY venue_id, local_date, asset_id
    UNION ALL
    SELECT venue_id, 'device', local_date, device_id, SUM(plays), SUM(total_duration_ms), SUM(interrupted), SUM(interrupted_duration_ms), SUM(failed), SUM(skipped)
    FROM proof_of_play_daily GROUP BY venue_id, local_date, device_id
    UNION ALL
    SELECT venue_id, 'day', local_date, local_date, SUM(plays), SUM(total_duration_ms), SUM(interrupted), SUM(interrupted_duration_ms), SUM(failed), SUM(skipped)
    FROM proof_of_play_daily GROUP BY venue_id, local_date;

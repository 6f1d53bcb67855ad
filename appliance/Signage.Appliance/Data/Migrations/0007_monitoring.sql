-- 0007: what the monitor needs to notice a frozen screen (PLAYBACK_STUCK): since when a screen's
-- heartbeats have named the same item of the same loop.

-- playlist, published version, item index, loop count and asset, as the heartbeat gave them.
ALTER TABLE device_status ADD COLUMN current_item_key TEXT;
ALTER TABLE device_status ADD COLUMN current_item_since_utc TEXT;

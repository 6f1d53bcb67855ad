-- 0012: indexes in the exact order the incident and command lists page in (issue 16), so a page is read
-- from the index in order instead of sorting the whole history for every page (a temp B-tree: about a
-- second per deep page at 100,000 incidents). tests/Signage.Appliance.Tests/PagingQueryPlanTests.cs
-- checks each list's plan.

-- Incidents, open first, then newest first (/v1/.../incidents, /admin/incidents): WHERE venue_id = ?
-- ORDER BY resolved_at_utc IS NOT NULL, opened_at_utc DESC, incident_id DESC. Replaces incident_by_venue,
-- whose venue_id prefix it keeps for the other per-venue lookups.
DROP INDEX incident_by_venue;
CREATE INDEX incident_by_venue ON incident (venue_id, (resolved_at_utc IS NOT NULL), opened_at_utc DESC, incident_id DESC);
-- One screen's incidents, the same order (its admin page): WHERE venue_id = ? AND device_id = ?.
CREATE INDEX incident_by_device ON incident (venue_id, device_id, (resolved_at_utc IS NOT NULL), opened_at_utc DESC, incident_id DESC);

-- A screen's commands, newest first: WHERE device_id = ? AND (issued_at_utc, command_id) < (?, ?)
-- ORDER BY issued_at_utc DESC, command_id DESC (read backwards, and the cursor is a range of it).
CREATE INDEX device_command_by_issue ON device_command (device_id, issued_at_utc, command_id);

#!/usr/bin/env bash
# One-year proof-of-play report over 10 million plays (issue 5). Creates a real appliance database
# (the published binary migrates it and creates the admin and venue), stops it, fills it straight
# with SQL: ROWS proof_of_play rows over 365 venue-local days, 4 campaigns, 20 assets, 50 screens,
# and the daily aggregates and report rollups those rows make; starts the appliance on it again and times
#   GET /v1/venues/{id}/reports/proof-of-play?from=2025-01-01&to=2025-12-31&groupBy=…  (each groupBy)
#   GET /v1/venues/{id}/reports/proof-of-play.csv?…
# over real HTTP with curl (median and max of RUNS runs after one warm-up). Reports read the daily
# aggregates; the script also checks that the report's total equals the raw log's row count.
# Usage: benchmarks/reports/run.sh [--no-publish]   (copy the output into docs/PERFORMANCE.md)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS=${ROWS:-10000000}
RUNS=${RUNS:-9}
PORT=${PORT:-5293}
APPLIANCE=${APPLIANCE:-artifacts/appliance}

for tool in sqlite3 curl jq; do
  command -v "$tool" >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3 curl jq; break; }
done
if [ "${1:-}" != "--no-publish" ]; then
  dotnet publish appliance/Signage.Appliance -c Release -r linux-x64 -o "$APPLIANCE" -nologo -clp:ErrorsOnly >/dev/null
fi
work=$(mktemp -d)
cleanup() { [ -n "${app_pid:-}" ] && kill "$app_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
base="http://127.0.0.1:$PORT"
start_appliance() {
  env SIGNAGE_ADMIN_EMAIL=bench@venue.test SIGNAGE_ADMIN_PASSWORD=benchmark-password SIGNAGE_VENUE_TIMEZONE=Europe/London RateLimits__Enabled=false \
    "$APPLIANCE/signage-appliance" --urls "$base" --data-dir "$work/data" >> "$work/appliance.log" 2>&1 &
  app_pid=$!
  until curl -sf "$base/healthz" >/dev/null; do sleep 0.1; done
}
echo "machine: $(nproc) cores; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
start_appliance
kill "$app_pid"; wait "$app_pid" 2>/dev/null || true; app_pid=
db="$work/data/appliance.db"

fill_start=$(date +%s)
sqlite3 "$db" >/dev/null <<SQL
PRAGMA synchronous = OFF;
BEGIN;
INSERT INTO campaign (campaign_id, venue_id, brand_name, name, created_at_utc, updated_at_utc)
  SELECT 'cmp_' || c.value, v.venue_id, 'Brand ' || c.value, 'Campaign ' || c.value, '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z'
  FROM venue v, generate_series(0, 3) c;
INSERT INTO asset (asset_id, tenant_id, venue_id, display_name, file_name, status, media_type, content_type, sha256, size_bytes, width, height,
    created_at_utc, updated_at_utc, ready_at_utc)
  SELECT 'ast_' || a.value, v.tenant_id, v.venue_id, 'Ad ' || a.value, 'ad.jpg', 'READY', 'IMAGE', 'image/jpeg', printf('%064d', a.value), 1000, 1920, 1080,
    '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z'
  FROM venue v, generate_series(0, 19) a;
INSERT INTO device (device_id, tenant_id, venue_id, name, hardware_id, created_at_utc, updated_at_utc)
  SELECT 'dev_' || d.value, v.tenant_id, v.venue_id, 'Screen ' || d.value, 'hw-' || d.value, '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z'
  FROM venue v, generate_series(0, 49) d;
-- Play i: day i % 365, screen (i / 365) % 50, asset (i / 18250) % 20, campaign = asset % 4.
INSERT INTO proof_of_play (event_id, event_type, device_id, venue_id, campaign_id, playlist_id, asset_id, content_sha256, device_time_utc,
    server_received_utc, started_at_utc, local_date, duration_ms, result, clock_suspect)
  SELECT printf('%032x', s.value), 'PLAY_END', 'dev_' || ((s.value / 365) % 50), v.venue_id, 'cmp_' || (((s.value / 18250) % 20) % 4), 'pl_bench',
    'ast_' || ((s.value / 18250) % 20), printf('%064d', (s.value / 18250) % 20), day || 'T12:00:00.000Z', day || 'T12:00:10.000Z',
    day || 'T12:00:00.000Z', day, 10000 + s.value % 1000, 'COMPLETED', 0
  FROM venue v, (SELECT value, date('2025-01-01', '+' || (value % 365) || ' days') AS day FROM generate_series(0, $ROWS - 1)) s;
INSERT INTO proof_of_play_daily (venue_id, local_date, campaign_id, asset_id, device_id, plays, total_duration_ms)
  SELECT venue_id, local_date, campaign_id, asset_id, device_id, COUNT(*), SUM(duration_ms) FROM proof_of_play
  GROUP BY venue_id, local_date, campaign_id, asset_id, device_id;
-- The per-dimension rollups the reports read (the appliance writes them with the daily rows).
INSERT INTO proof_of_play_rollup (venue_id, dimension, local_date, key, plays, total_duration_ms)
  SELECT venue_id, 'campaign', local_date, campaign_id, SUM(plays), SUM(total_duration_ms) FROM proof_of_play_daily GROUP BY venue_id, local_date, campaign_id
  UNION ALL SELECT venue_id, 'content', local_date, asset_id, SUM(plays), SUM(total_duration_ms) FROM proof_of_play_daily GROUP BY venue_id, local_date, asset_id
  UNION ALL SELECT venue_id, 'device', local_date, device_id, SUM(plays), SUM(total_duration_ms) FROM proof_of_play_daily GROUP BY venue_id, local_date, device_id
  UNION ALL SELECT venue_id, 'day', local_date, local_date, SUM(plays), SUM(total_duration_ms) FROM proof_of_play_daily GROUP BY venue_id, local_date;
COMMIT;
SQL
echo "filled: $(sqlite3 "$db" 'SELECT COUNT(*) FROM proof_of_play;') plays, $(sqlite3 "$db" 'SELECT COUNT(*) FROM proof_of_play_daily;') daily rows, $(sqlite3 "$db" 'SELECT COUNT(*) FROM proof_of_play_rollup;') rollup rows, in $(( $(date +%s) - fill_start )) s; database $(du -h "$db" | cut -f1)"

start_appliance
token=$(curl -sf -H "Content-Type: application/json" -d '{"email":"bench@venue.test","password":"benchmark-password"}' "$base/v1/auth/login" | jq -r .accessToken)
venue=$(curl -sf -H "Authorization: Bearer $token" "$base/v1/me/venues" | jq -r '.items[0].venueId')
range="from=2025-01-01&to=2025-12-31"
total=$(curl -sf -H "Authorization: Bearer $token" "$base/v1/venues/$venue/reports/proof-of-play?$range&groupBy=day" | jq .total.plays)
[ "$total" = "$ROWS" ] && echo "CHECK OK: report total $total = raw plays" || { echo "CHECK FAILED: report total $total, raw $ROWS"; exit 1; }

time_it() { # name url
  curl -sf -o /dev/null -H "Authorization: Bearer $token" "$2"  # warm-up
  for _ in $(seq "$RUNS"); do curl -sf -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $token" "$2"; done | sort -n |
    awk -v name="$1" '{ t[NR] = $1 * 1000 } END { printf "%-22s median %6.1f ms  max %6.1f ms  (%d runs)\n", name, t[int((NR + 1) / 2)], t[NR], NR }'
}
echo "== one-year report over $ROWS plays =="
for by in campaign content device day; do time_it "groupBy=$by" "$base/v1/venues/$venue/reports/proof-of-play?$range&groupBy=$by"; done
time_it "csv groupBy=day" "$base/v1/venues/$venue/reports/proof-of-play.csv?$range&groupBy=day"
time_it "csv groupBy=device" "$base/v1/venues/$venue/reports/proof-of-play.csv?$range&groupBy=device"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

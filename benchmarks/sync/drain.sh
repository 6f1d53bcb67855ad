#!/usr/bin/env bash
# One appliance drains a one-week backlog of plays to the real hub (issue 8: target under 60 s).
# Starts a throwaway PostgreSQL cluster (fsync on: the hub's real durability), the hub, and the native
# appliance on loopback; writes PLAYS proof-of-play rows (default 1,200,000 = one week at ~120 plays a
# minute) straight into the stopped appliance's SQLite file, where they wait after the play upload
# cursor (migration 0009) exactly as plays stored by the event writer do; then enrolls the appliance
# through its API and times the drain until the backlog is empty and the hub holds every play
# exactly once.
# Usage: benchmarks/sync/drain.sh [--no-build]   (results: stdout; copy into docs/PERFORMANCE.md)
set -euo pipefail
cd "$(dirname "$0")/../.."
PLAYS=${PLAYS:-1200000}
PG_PORT=${PG_PORT:-5193}
HUB_PORT=5194
APP_PORT=5195

if [ "${1:-}" != "--no-build" ]; then
  dotnet publish appliance/Signage.Appliance -c Release -r linux-x64 -o artifacts/appliance -nologo -clp:ErrorsOnly >/dev/null
  dotnet build cloud-hub/Signage.CloudHub -c Release -nologo -clp:ErrorsOnly >/dev/null
fi
hub_dll=cloud-hub/Signage.CloudHub/bin/Release/net10.0/signage-hub.dll
appliance=${APPLIANCE_BIN:-artifacts/appliance/signage-appliance}

work=$(mktemp -d)
chmod 755 "$work"
run_pg() { if [ "$(id -u)" = 0 ]; then runuser -u signage-test -- "$@"; else "$@"; fi; }
cleanup() {
  [ -n "${app_pid:-}" ] && kill "$app_pid" 2>/dev/null
  [ -n "${hub_pid:-}" ] && kill "$hub_pid" 2>/dev/null
  run_pg pg_ctl -D "$work/pg" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# PostgreSQL (initdb refuses root: run it as a system user, like the tests do).
if [ "$(id -u)" = 0 ]; then id -u signage-test >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin signage-test; mkdir -p "$work/pg"; chown signage-test: "$work/pg"; fi
run_pg initdb -D "$work/pg" -U postgres -A trust -E UTF8 --no-instructions >/dev/null
run_pg pg_ctl -D "$work/pg" -l "$work/pg/log" -w -o "-p $PG_PORT -k $work/pg -c listen_addresses=127.0.0.1" start >/dev/null
db="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=postgres"

SIGNAGE_HUB_ADMIN_EMAIL=platform@bench.test SIGNAGE_HUB_ADMIN_PASSWORD=platform-password-1 \
  dotnet "$hub_dll" --urls "http://127.0.0.1:$HUB_PORT" --db "$db" --data-dir "$work/hub" > "$work/hub.log" 2>&1 &
hub_pid=$!
hub="http://127.0.0.1:$HUB_PORT"
until curl -sf "$hub/health" >/dev/null; do sleep 0.2; done
login() { curl -sf -H "Content-Type: application/json" -d "{\"email\":\"$2\",\"password\":\"$3\"}" "$1/v1/auth/login" | jq -r .accessToken; }
platform=$(login "$hub" platform@bench.test platform-password-1)
tenant=$(curl -sf -H "Content-Type: application/json" -H "Authorization: Bearer $platform" \
  -d '{"name":"Bench","adminEmail":"head@bench.test","adminDisplayName":"Head","adminPassword":"tenant-password-1"}' "$hub/v1/tenants" | jq -r .tenantId)
head=$(login "$hub" head@bench.test tenant-password-1)
hub_venue=$(curl -sf -H "Content-Type: application/json" -H "Authorization: Bearer $head" -d '{"name":"Bench Arms","timezone":"Europe/London"}' \
  "$hub/v1/tenants/$tenant/venues" | jq -r .venueId)
code=$(curl -sf -X POST -H "Authorization: Bearer $head" "$hub/v1/tenants/$tenant/venues/$hub_venue/enrollment-codes" | jq -r .code)

# The appliance: first start creates its database, venue and admin; stopped while the backlog is written.
start_appliance() {
  SIGNAGE_ADMIN_EMAIL=bench@venue.test SIGNAGE_ADMIN_PASSWORD=benchmark-password SIGNAGE_VENUE_TIMEZONE=Europe/London \
  Hub__SyncIntervalSeconds=5 "$appliance" --urls "http://127.0.0.1:$APP_PORT" --data-dir "$work/app" >> "$work/appliance.log" 2>&1 &
  app_pid=$!
  until curl -sf "http://127.0.0.1:$APP_PORT/healthz" >/dev/null; do sleep 0.1; done
}
start_appliance
kill "$app_pid"; wait "$app_pid" || true
venue=$(sqlite3 "$work/app/appliance.db" "SELECT venue_id FROM venue;")
t0=$(date +%s.%N)
sqlite3 "$work/app/appliance.db" <<SQL
PRAGMA synchronous = OFF;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $PLAYS - 1)
INSERT INTO proof_of_play (event_id, event_type, device_id, venue_id, campaign_id, playlist_id, asset_id, content_sha256, device_time_utc,
    server_received_utc, started_at_utc, local_date, duration_ms, result, clock_suspect)
SELECT lower(hex(randomblob(16))), 'PLAY_END', 'dev_' || (i % 20), '$venue', NULL, 'pls_bench', 'ast_' || (i % 50), NULL,
    strftime('%Y-%m-%dT%H:%M:%fZ', '2026-11-16', '+' || (i * 604800 / $PLAYS) || ' seconds'),
    strftime('%Y-%m-%dT%H:%M:%fZ', '2026-11-16', '+' || (i * 604800 / $PLAYS) || ' seconds'),
    strftime('%Y-%m-%dT%H:%M:%fZ', '2026-11-16', '+' || (i * 604800 / $PLAYS) || ' seconds'),
    date('2026-11-16', '+' || (i * 7 / $PLAYS) || ' days'), 10000, 'COMPLETED', 0
FROM n;
SQL
echo "wrote $(sqlite3 "$work/app/appliance.db" 'SELECT COUNT(*) FROM proof_of_play WHERE play_seq > (SELECT sent_through FROM play_upload);') plays waiting for the hub in $(echo "$(date +%s.%N) - $t0" | bc) s"

start_appliance
admin=$(login "http://127.0.0.1:$APP_PORT" bench@venue.test benchmark-password)
echo "load before drain: $(cut -d' ' -f1-3 /proc/loadavg)"
t0=$(date +%s.%N)
curl -sf -H "Content-Type: application/json" -H "Authorization: Bearer $admin" -d "{\"hubUrl\":\"$hub\",\"code\":\"$code\"}" \
  "http://127.0.0.1:$APP_PORT/v1/venues/$venue/hub/enroll" >/dev/null
while true; do
  status=$(curl -sf -H "Authorization: Bearer $admin" "http://127.0.0.1:$APP_PORT/v1/venues/$venue/hub")
  [ "$(echo "$status" | jq -r .backlog)" = 0 ] && [ "$(echo "$status" | jq -r .lastSuccessfulSyncUtc)" != null ] && break
  sleep 0.25
done
t1=$(date +%s.%N)
echo "load after drain: $(cut -d' ' -f1-3 /proc/loadavg)"
at_hub=$(psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc "SELECT count(*) || ' rows, ' || count(DISTINCT record_id) || ' distinct' FROM play WHERE venue_id = '$hub_venue';")
echo "drained $PLAYS plays in $(echo "$t1 - $t0" | bc) s (enroll -> backlog 0, polled every 0.25 s); hub holds $at_hub"
grep -o "Hub sync: .*" "$work/appliance.log" | head -3

#!/usr/bin/env bash
# Sustained durable ingestion (issue 5), beside SQLite's own limit on this machine, in one run.
#  1. The appliance: published native binary on loopback with a fresh data directory and its
#     player-events rate limit raised through its settings; SCREENS screens paired through the API;
#     a second process (LoadGen, .NET console) posts batches of BATCH PLAY_END events from every
#     screen at once for SECONDS seconds over real HTTP. Prints events/s and latency percentiles,
#     then checks that the rows stored equal the events the 2xx answers acknowledged.
#  2. The reference: the sqlite3 command-line tool inserting the same proof_of_play rows into the
#     appliance's own schema, one 100-row INSERT per transaction, synchronous=FULL, WAL.
# Rate limits: the per-screen event limit and the pairing limits (100 screens paired in seconds) are
# raised through the appliance's RateLimits settings for the run.
# Usage: benchmarks/ingest/run.sh [--no-publish]   (copy the output into docs/PERFORMANCE.md)
set -euo pipefail
cd "$(dirname "$0")/../.."
SCREENS=${SCREENS:-100}
BATCH=${BATCH:-100}
SECONDS_RUN=${SECONDS_RUN:-20}
PORT=${PORT:-5291}
APPLIANCE=${APPLIANCE:-artifacts/appliance}

for tool in sqlite3 curl jq; do
  command -v "$tool" >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3 curl jq; break; }
done
if [ "${1:-}" != "--no-publish" ]; then
  dotnet publish appliance/Signage.Appliance -c Release -r linux-x64 -o "$APPLIANCE" -nologo -clp:ErrorsOnly >/dev/null
fi
dotnet build benchmarks/ingest/LoadGen -c Release -nologo -clp:ErrorsOnly -o artifacts/ingest-loadgen >/dev/null

work=$(mktemp -d)
cleanup() { [ -n "${app_pid:-}" ] && kill "$app_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

echo "machine: $(nproc) cores; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
env SIGNAGE_ADMIN_EMAIL=bench@venue.test SIGNAGE_ADMIN_PASSWORD=benchmark-password SIGNAGE_VENUE_TIMEZONE=Europe/London \
  "RateLimits__player-events__Limit=1000000000" "RateLimits__pairing-start-ip__Limit=1000" "RateLimits__pairing-claim-user__Limit=1000" \
  "$APPLIANCE/signage-appliance" --urls "http://127.0.0.1:$PORT" --data-dir "$work/data" > "$work/appliance.log" 2>&1 &
app_pid=$!
base="http://127.0.0.1:$PORT"
until curl -sf "$base/healthz" >/dev/null; do sleep 0.1; done
db="$work/data/appliance.db"

# The content the plays name: fixtures written straight into the database (not what is measured).
sqlite3 "$db" >/dev/null <<SQL
PRAGMA busy_timeout = 10000;
INSERT INTO campaign (campaign_id, venue_id, brand_name, name, created_at_utc, updated_at_utc)
  SELECT 'cmp_bench', venue_id, 'Fizz', 'Bench', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z' FROM venue;
INSERT INTO asset (asset_id, tenant_id, venue_id, display_name, file_name, status, media_type, content_type, sha256, size_bytes, width, height,
    created_at_utc, updated_at_utc, ready_at_utc)
  SELECT 'ast_bench', tenant_id, venue_id, 'Bench ad', 'ad.jpg', 'READY', 'IMAGE', 'image/jpeg', printf('%064d', 1), 1000, 1920, 1080,
    '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z' FROM venue;
INSERT INTO playlist (playlist_id, venue_id, name, campaign_id, created_at_utc, updated_at_utc)
  SELECT 'pl_bench', venue_id, 'Bench', 'cmp_bench', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z' FROM venue;
SQL

echo "== appliance: $SCREENS screens x batches of $BATCH PLAY_END, ${SECONDS_RUN}s, real HTTP, synchronous=FULL =="
# COUNT_COMMITS=1: count the appliance's fsync/fdatasync calls during the load with strace (slows
# it down; shows how many requests share one durable commit).
if [ "${COUNT_COMMITS:-0}" = 1 ]; then strace -f -qq -c -e trace=fsync,fdatasync -p "$app_pid" -o "$work/fsyncs.txt" & strace_pid=$!; fi
dotnet artifacts/ingest-loadgen/LoadGen.dll "$base" bench@venue.test benchmark-password pl_bench ast_bench "$SCREENS" "$BATCH" "$SECONDS_RUN" | tee "$work/load.txt"
if [ -n "${strace_pid:-}" ]; then kill -INT "$strace_pid"; wait "$strace_pid" 2>/dev/null || true; echo "appliance syncs during the run:"; cat "$work/fsyncs.txt"; fi
acknowledged=$(grep -o 'acknowledged_events=[0-9]*' "$work/load.txt" | cut -d= -f2)
stored=$(sqlite3 "$db" "SELECT COUNT(*) FROM proof_of_play;")
aggregated=$(sqlite3 "$db" "SELECT COALESCE(SUM(plays), 0) FROM proof_of_play_daily;")
echo "stored proof_of_play rows=$stored; daily aggregate plays=$aggregated; acknowledged=$acknowledged"
[ "$stored" = "$acknowledged" ] && [ "$aggregated" = "$acknowledged" ] && echo "CHECK OK: every acknowledged event is stored and counted once" \
  || { echo "CHECK FAILED"; exit 1; }
kill "$app_pid"; wait "$app_pid" 2>/dev/null || true; app_pid=

echo "== reference: sqlite3 CLI, the same proof_of_play rows, 100 per transaction, synchronous=FULL =="
ref="$work/reference.db"
sqlite3 "$db" .schema | grep -v '^CREATE TABLE sqlite_' > "$work/schema.sql"
sqlite3 "$ref" < "$work/schema.sql"
ROWS=${REFERENCE_ROWS:-1000000}
python3 - "$ROWS" > "$work/inserts.sql" <<'PY'
import sys, uuid
rows = int(sys.argv[1])
print("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;")
for t in range(rows // 100):
    values = ",".join(
        f"('{uuid.uuid4()}','PLAY_END','dev_{i % 100}','ven_bench','cmp_bench','pl_bench','ast_bench','{'0' * 64}',"
        f"'2026-11-23T12:00:00.000Z','2026-11-23T12:00:10.000Z','2026-11-23T12:00:00.000Z','2026-11-23',10000,'COMPLETED',0)"
        for i in range(100))
    print(f"BEGIN; INSERT INTO proof_of_play VALUES {values}; COMMIT;")
PY
start=$(date +%s.%N)
sqlite3 "$ref" < "$work/inserts.sql" >/dev/null
end=$(date +%s.%N)
python3 -c "import sys; rows=$ROWS; s=$end-$start; print(f'reference rows={rows} seconds={s:.2f} rows_per_second={rows/s:.0f}')"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

#!/usr/bin/env bash
# Sustained durable ingestion (issue 5), beside SQLite's own limit on this machine, in one run.
#  1. The appliance: published native binary on loopback with a fresh data directory and its
#     player-events rate limit raised through its settings; SCREENS screens paired through the API;
#     a second process (LoadGen, .NET console) posts batches of BATCH PLAY_END events from every
#     screen at once for SECONDS seconds over real HTTP. Prints events/s and latency percentiles,
#     then checks that the rows stored equal the events the 2xx answers acknowledged.
#  2. The references, right after, in the same minutes: the sqlite3 command-line tool writing the
#     same row per play (proof_of_play, since migration 0010) into the appliance's own schema, 100
#     plays per transaction, and the same 100-row transactions into a bare table; synchronous=FULL, WAL.
# IDS=v7 (default; time-ordered event ids, as the real player sends) or IDS=random (v4 ids).
# Rate limits: the per-screen event limit and the pairing limits (100 screens paired in seconds) are
# raised through the appliance's RateLimits settings for the run.
# Usage: benchmarks/ingest/run.sh [--no-publish]   (copy the output into docs/PERFORMANCE.md)
set -euo pipefail
cd "$(dirname "$0")/../.."
SCREENS=${SCREENS:-100}
BATCH=${BATCH:-100}
SECONDS_RUN=${SECONDS_RUN:-20}
IDS=${IDS:-v7}   # event ids: v7 (time-ordered, as the real player makes them) or random (v4)
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

echo "== appliance: $SCREENS screens x batches of $BATCH PLAY_END, ${SECONDS_RUN}s, ids=$IDS, real HTTP, synchronous=FULL =="
# COUNT_COMMITS=1: count the appliance's fsync/fdatasync calls during the load with strace (slows
# it down; shows how many requests share one durable commit).
if [ "${COUNT_COMMITS:-0}" = 1 ]; then strace -f -qq -c -e trace=fsync,fdatasync -p "$app_pid" -o "$work/fsyncs.txt" & strace_pid=$!; fi
# PROFILE=1: sample the appliance and the load generator with perf (publish with symbols first:
# -p:StripSymbols=false -p:DebugType=portable) and write reports to artifacts/benchmarks/ingest-*.txt.
if [ "${PROFILE:-0}" = 1 ]; then
  (sleep 5; perf record -q -F 499 -g -a -o "$work/perf.data" -- sleep 8 >/dev/null 2>&1) & perf_pid=$!
fi
dotnet artifacts/ingest-loadgen/LoadGen.dll "$base" bench@venue.test benchmark-password pl_bench ast_bench "$SCREENS" "$BATCH" "$SECONDS_RUN" "$IDS" | tee "$work/load.txt"
if [ -n "${perf_pid:-}" ]; then
  wait "$perf_pid"; mkdir -p artifacts/benchmarks; cp "$work/perf.data" artifacts/benchmarks/ingest-perf.data
  report() { perf report -i "$work/perf.data" --no-children -g none --percent-limit 0.3 --stdio "$@" 2>/dev/null | grep -v '^#' | grep -v '^$'; }
  report --sort comm,dso > artifacts/benchmarks/ingest-by-process.txt
  report --sort sym > artifacts/benchmarks/ingest-symbols.txt
  echo "profile: artifacts/benchmarks/ingest-by-process.txt, ingest-symbols.txt (perf.data beside them)"
fi
if [ -n "${strace_pid:-}" ]; then kill -INT "$strace_pid"; wait "$strace_pid" 2>/dev/null || true; echo "appliance syncs during the run:"; cat "$work/fsyncs.txt"; fi
acknowledged=$(grep -o 'acknowledged_events=[0-9]*' "$work/load.txt" | cut -d= -f2)
stored=$(sqlite3 "$db" "SELECT COUNT(*) FROM proof_of_play;")
aggregated=$(sqlite3 "$db" "SELECT COALESCE(SUM(plays), 0) FROM proof_of_play_daily;")
echo "stored proof_of_play rows=$stored; daily aggregate plays=$aggregated; acknowledged=$acknowledged"
[ "$stored" = "$acknowledged" ] && [ "$aggregated" = "$acknowledged" ] && echo "CHECK OK: every acknowledged event is stored and counted once" \
  || { echo "CHECK FAILED"; exit 1; }
kill "$app_pid"; wait "$app_pid" 2>/dev/null || true; app_pid=

# The references: the sqlite3 CLI writing, per play, what the appliance writes (a proof_of_play row
# keyed by the event id) into the appliance's own schema, 100 plays per
# transaction; and the same 100-row transactions into a bare table (no key, no index: MEASURED.md's
# ~325,000 rows/s). Ids are made like the load generator's (IDS=v7: time-ordered; IDS=random: v4).
ROWS=${REFERENCE_ROWS:-1000000}
sqlite3 "$db" .schema | grep -v '^CREATE TABLE sqlite_' > "$work/schema.sql"
cat > "$work/inserts.py" <<'PY'
import os, sys, time, uuid
rows, ids, kind = int(sys.argv[1]), sys.argv[2], sys.argv[3]
def v7():
    ms = time.time_ns() // 1_000_000
    r = int.from_bytes(os.urandom(10), "big")
    value = (ms << 80) | (0x7 << 76) | ((r >> 64) & 0xFFF) << 64 | (0b10 << 62) | (r & ((1 << 62) - 1))
    return str(uuid.UUID(int=value))
new_id = v7 if ids == "v7" else (lambda: str(uuid.uuid4()))
print("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;")
if kind == "bare":
    print("CREATE TABLE bare (event_id TEXT, event_type TEXT, device_id TEXT, venue_id TEXT, campaign_id TEXT, playlist_id TEXT, asset_id TEXT, content_sha256 TEXT,"
          " device_time_utc TEXT, server_received_utc TEXT, started_at_utc TEXT, local_date TEXT, duration_ms INTEGER, result TEXT, clock_suspect INTEGER);")
seq = 0
for t in range(rows // 100):
    batch = [(new_id(), f"dev_{i}") for i in range(100)]
    seq += 1
    plays = ",".join(
        f"('{e}','PLAY_END','{d}','ven_bench','cmp_bench','pl_bench','ast_bench','{'0' * 64}',"
        f"'2026-11-23T12:00:00.000Z','2026-11-23T12:00:10.000Z','2026-11-23T12:00:00.000Z','2026-11-23',10000,'COMPLETED',0)" for e, d in batch)
    columns = ("(event_id, event_type, device_id, venue_id, campaign_id, playlist_id, asset_id, content_sha256, device_time_utc, server_received_utc,"
               " started_at_utc, local_date, duration_ms, result, clock_suspect)")
    if kind == "bare":
        print(f"BEGIN; INSERT INTO bare VALUES {plays}; COMMIT;")
    else:
        # What the appliance writes per play since migration 0010: one proof_of_play row (keyed by
        # its event id, indexed by screen and sequence), nothing in device_event.
        rows_with_sequence = ",".join(
            f"('{e}','PLAY_END','{d}','ven_bench','cmp_bench','pl_bench','ast_bench','{'0' * 64}',"
            f"'2026-11-23T12:00:00.000Z','2026-11-23T12:00:10.000Z','2026-11-23T12:00:00.000Z','2026-11-23',10000,'COMPLETED',0,{seq},'INFO')" for e, d in batch)
        print(f"BEGIN; INSERT INTO proof_of_play {columns[:-1]}, sequence, severity) VALUES {rows_with_sequence} ON CONFLICT (event_id) DO NOTHING; COMMIT;")
PY
python3 "$work/inserts.py" "$ROWS" "$IDS" schema > "$work/inserts.sql"
python3 "$work/inserts.py" "$ROWS" "$IDS" bare > "$work/bare.sql"
reference() { # $1 = label, $2 = database, $3 = statements
  local start end
  start=$(date +%s.%N)
  sqlite3 "$2" < "$3" >/dev/null
  end=$(date +%s.%N)
  python3 -c "rows=$ROWS; s=$end-$start; print(f'$1 rows={rows} seconds={s:.2f} rows_per_second={rows/s:.0f}')"
}
echo "== reference: sqlite3 CLI, per play a proof_of_play row into the appliance's schema, 100 plays per transaction, synchronous=FULL, ids=$IDS =="
sqlite3 "$work/reference.db" < "$work/schema.sql"
reference "reference(schema)" "$work/reference.db" "$work/inserts.sql"
echo "== reference: sqlite3 CLI, the same 100-row transactions into a bare table (no key, no index), synchronous=FULL =="
reference "reference(bare)" "$work/bare.db" "$work/bare.sql"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

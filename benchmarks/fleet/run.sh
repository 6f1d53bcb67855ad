#!/usr/bin/env bash
# Fleet simulation (issue 10): publishes the native appliance, starts it on loopback with a fresh data
# directory and the spec's rate limits on (27.1), and drives N simulated screens speaking the real player
# protocol against it for S seconds (after pairing and the first download), each screen from its own
# loopback address (127.x.y.z) so per-address limits hold as on a LAN. Prints requests/s, p50/p99 per
# endpoint, the 429 count, errors, and the appliance's CPU and RSS; copy the output into docs/PERFORMANCE.md.
# Usage: benchmarks/fleet/run.sh [screens=500] [seconds=60] [--no-publish]
#        (SIGNAGE_APPLIANCE_BIN=path uses an already published appliance)
# Environment: SPEEDUP (default 1, the real cadence; 6 makes every 60 s interval 10 s and raises the four
#              per-device player limits 6-fold to match), PREFER_WAIT (seconds, default 0),
#              PLAYS_PER_BATCH (5), CHANGE_EVERY (seconds between venue changes, default 20; 0 = none).
# The one limit raised at every speed is pairing-claim-user (10 a minute): the one manager claims every screen.
set -euo pipefail
cd "$(dirname "$0")/../.."
screens=${1:-500}
seconds=${2:-60}
appliance=${SIGNAGE_APPLIANCE_BIN:-artifacts/fleet-appliance/signage-appliance}
simulator=artifacts/fleet-simulator
if [ "${3:-}" != "--no-publish" ]; then
  [ -n "${SIGNAGE_APPLIANCE_BIN:-}" ] || dotnet publish appliance/Signage.Appliance -c Release -r linux-x64 -o artifacts/fleet-appliance -nologo -clp:ErrorsOnly >/dev/null
  dotnet build benchmarks/fleet/Signage.FleetSimulator -c Release -o "$simulator" -nologo -clp:ErrorsOnly >/dev/null
fi
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

work=$(mktemp -d)
cleanup() { [ -n "${app_pid:-}" ] && kill "$app_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
speedup=${SPEEDUP:-1}
scale=$(awk -v s="$speedup" 'BEGIN { c = int(s); if (c < s) c++; print (c < 1 ? 1 : c) }')
env SIGNAGE_ADMIN_EMAIL=bench@venue.test SIGNAGE_ADMIN_PASSWORD=benchmark-password SIGNAGE_VENUE_TIMEZONE=Europe/London SIGNAGE_FFMPEG=none \
  "RateLimits__pairing-claim-user__Limit=1000000000" \
  "RateLimits__player-manifest__Limit=$((2 * scale))" "RateLimits__player-heartbeat__Limit=$((2 * scale))" \
  "RateLimits__player-events__Limit=$((6 * scale))" "RateLimits__player-commands__Limit=$((2 * scale))" \
  "$appliance" --urls "http://127.0.0.1:0" --data-dir "$work/data" > "$work/appliance.log" 2>&1 &
app_pid=$!
# A free port chosen by the appliance itself (a fixed one may be some other process's).
until url=$(grep -oE 'listening on http://[0-9.:]+' "$work/appliance.log" | cut -d' ' -f3) && [ -n "$url" ]; do
  kill -0 "$app_pid" 2>/dev/null || { cat "$work/appliance.log"; exit 1; }
  sleep 0.1
done

echo "rate limits: on; per device per minute manifest $((2 * scale)), heartbeat $((2 * scale)), events $((6 * scale)), commands $((2 * scale)) (spec 27.1 x$scale for SPEEDUP=$speedup)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "command: benchmarks/fleet/run.sh $screens $seconds (SPEEDUP=$speedup PREFER_WAIT=${PREFER_WAIT:-0} PLAYS_PER_BATCH=${PLAYS_PER_BATCH:-5} CHANGE_EVERY=${CHANGE_EVERY:-20})"
status=0
"$simulator/Signage.FleetSimulator" --url "$url" --screens "$screens" --seconds "$seconds" --appliance-pid "$app_pid" \
  --media tests/Signage.Media.Tests/Fixtures/real-160x90.jpg --speedup "$speedup" --prefer-wait "${PREFER_WAIT:-0}" \
  --plays-per-batch "${PLAYS_PER_BATCH:-5}" --change-every "${CHANGE_EVERY:-20}" || status=$?
db="$work/data/appliance.db"
if command -v sqlite3 >/dev/null; then
  echo "database after the run: $(du -sh "$work/data" | cut -f1) data dir; plays stored $(sqlite3 "$db" 'SELECT count(*) FROM proof_of_play;'), integrity_check $(sqlite3 "$db" 'PRAGMA integrity_check;')"
fi
exit "$status"

#!/usr/bin/env bash
# Admin dashboard weight and server time with 100 screens (issue 6). Starts the native appliance on
# loopback, pairs 100 screens through the JSON API (each reports a heartbeat, half are playing an
# image), signs in through the sign-in form, then times GET /admin with curl:
#   time_starttransfer - time_pretransfer = from the request sent to the first byte back (server time
#   plus one loopback hop), size_download = bytes on the wire (compressed when the client asks).
# Usage: benchmarks/admin/dashboard.sh [--no-publish]   RUNS=200 by default; results on stdout.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-200}
SCREENS=${SCREENS:-100}
APP_PORT=${APP_PORT:-5193}
BIN=${SIGNAGE_APPLIANCE_BIN:-artifacts/appliance/signage-appliance}

for tool in jq curl python3 ffmpeg; do command -v "$tool" >/dev/null || { echo "needs $tool" >&2; exit 2; }; done
if [ "${1:-}" != "--no-publish" ]; then
  dotnet publish appliance/Signage.Appliance -c Release -r linux-x64 -o artifacts/appliance -nologo >/dev/null
fi

work=$(mktemp -d)
cleanup() { [ -n "${app_pid:-}" ] && kill "$app_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

SIGNAGE_ADMIN_EMAIL=bench@venue.test SIGNAGE_ADMIN_PASSWORD=benchmark-password SIGNAGE_VENUE_TIMEZONE=Europe/London \
RateLimits__Enabled=false "$BIN" --urls "http://127.0.0.1:$APP_PORT" --data-dir "$work/data" > "$work/appliance.log" 2>&1 &
app_pid=$!
base="http://127.0.0.1:$APP_PORT"
until curl -sf "$base/healthz" >/dev/null; do sleep 0.1; done

json() { curl -sf -H "Content-Type: application/json" -H "Authorization: Bearer $token" "$@"; }
token=$(curl -sf -H "Content-Type: application/json" -d '{"email":"bench@venue.test","password":"benchmark-password"}' "$base/v1/auth/login" | jq -r .accessToken)
venue=$(json "$base/v1/me/venues" | jq -r '.items[0].venueId')

# One picture in the library, for the screens that are "playing" (their cards show its thumbnail).
ffmpeg -loglevel error -f lavfi -i testsrc=size=160x90 -frames:v 1 "$work/logo.png"
size=$(stat -c %s "$work/logo.png")
upload=$(json -d "{\"fileName\":\"logo.png\",\"sizeBytes\":$size}" "$base/v1/venues/$venue/assets/uploads")
curl -sf -X PUT -H "Authorization: Bearer $token" -H "Content-Type: application/octet-stream" --data-binary "@$work/logo.png" "$base$(jq -r .uploadUrl <<<"$upload")" >/dev/null
json -X POST "$base/v1/venues/$venue/assets/uploads/$(jq -r .uploadId <<<"$upload")/complete" >/dev/null
asset=$(jq -r .assetId <<<"$upload")
until [ "$(json "$base/v1/venues/$venue/assets/$asset" | jq -r .status)" = READY ]; do sleep 0.2; done

echo "pairing $SCREENS screens..." >&2
for i in $(seq 1 "$SCREENS"); do
  start=$(curl -sf -H "Content-Type: application/json" -d "{\"deviceHardwareId\":\"bench-$i\",\"deviceInfo\":{\"manufacturer\":\"Amazon\",\"model\":\"AFTSS\",\"osVersion\":\"Fire OS 8\",\"appVersion\":\"2.1.0\"}}" "$base/v1/devices/pairing/start")
  json -d "{\"pairingCode\":\"$(jq -r .pairingCode <<<"$start")\",\"name\":\"Screen $i\"}" "$base/v1/venues/$venue/devices/pairing/claim" >/dev/null
  device_token=$(curl -sf -H "X-Pairing-Secret: $(jq -r .pairingSecret <<<"$start")" "$base/v1/devices/pairing/status?pairingId=$(jq -r .pairingId <<<"$start")" | jq -r .deviceToken)
  playing=null; [ $((i % 2)) -eq 0 ] && playing="\"$asset\""
  curl -sf -H "Content-Type: application/json" -H "Authorization: Bearer $device_token" \
    -d "{\"appVersion\":\"2.1.0\",\"state\":\"PLAYING\",\"playback\":{\"currentAssetId\":$playing},\"cache\":{\"totalBytes\":4000000000,\"usedBytes\":$((i * 10000000)),\"assetCount\":3,\"pendingDownloads\":0},\"network\":{\"connected\":true,\"type\":\"WIFI\"}}" \
    "$base/v1/player/heartbeat" >/dev/null
done

# Sign in through the page, as a browser does (antiforgery cookie + field, then the session cookie).
jar="$work/cookies"
form_token=$(curl -sf -c "$jar" "$base/admin/signin" | sed -n 's/.*name="__RequestVerificationToken" value="\([^"]*\)".*/\1/p' | head -1)
curl -sf -b "$jar" -c "$jar" -o /dev/null --data-urlencode "__RequestVerificationToken=$form_token" \
  --data-urlencode "email=bench@venue.test" --data-urlencode "password=benchmark-password" "$base/admin/signin"
cards=$(curl -sf -b "$jar" "$base/admin" | grep -o "<article class=\"card screen" | wc -l)
devices=$(json "$base/v1/venues/$venue/devices" | jq ".items | length")
echo "dashboard shows $cards screen cards for $devices paired screens" >&2

measure() { # $1 = label, rest = extra curl args
  local label=$1; shift
  for _ in $(seq 1 "$RUNS"); do
    curl -s -o /dev/null -b "$jar" "$@" -w '%{time_pretransfer} %{time_starttransfer} %{size_download}\n' "$base/admin"
  done | python3 -c '
import statistics, sys
label = sys.argv[1]
rows = [tuple(map(float, line.split())) for line in sys.stdin]
server = sorted((start - pre) * 1000 for pre, start, _ in rows)
size = int(rows[-1][2])
p = lambda q: server[min(len(server) - 1, int(q * len(server)))]
print(f"{label:>10}: {size:>7} bytes  first byte after request: median {statistics.median(server):.2f} ms, p95 {p(0.95):.2f} ms, max {server[-1]:.2f} ms  ({len(rows)} runs)")
' "$label"
}
measure identity
measure gzip -H "Accept-Encoding: gzip"
measure br -H "Accept-Encoding: br"
css=$(curl -s -o /dev/null -w '%{size_download}' -H "Accept-Encoding: gzip" "$base/admin/static/admin.css")
js=$(curl -s -o /dev/null -w '%{size_download}' -H "Accept-Encoding: gzip" "$base/admin/static/admin.js")
thumb=$(curl -s -o /dev/null -w '%{size_download}' -b "$jar" "$base/v1/venues/$venue/assets/$asset/thumbnail")
echo "first visit also fetches admin.css ($css bytes) and admin.js ($js bytes) once (cached a day), and one thumbnail ($thumb bytes; all playing screens show the same one here)"
echo "uptime: $(uptime)"

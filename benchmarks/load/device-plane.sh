#!/usr/bin/env bash
# Device-plane load beside nginx, on this machine, in one run (issue 4). Starts the native appliance
# and nginx on loopback, sets up a venue with one published video, pairs a screen, then measures
# with wrk from a second process:
#   manifest 304 path and 200 path (valid device token) vs nginx serving the same JSON bytes,
#   media download vs nginx serving the same file, and 500 held long-poll requests.
# Usage: benchmarks/load/device-plane.sh [--no-publish]   (results: stdout; copy into docs/PERFORMANCE.md)
#        ONLY=media benchmarks/load/device-plane.sh --no-publish   (just the media rounds)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
DURATION=${DURATION:-5s}
CONNECTIONS=${CONNECTIONS:-64}
APP_PORT=5191
NGINX_PORT=5192

for tool in wrk nginx ffmpeg jq curl python3; do
  command -v "$tool" >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx-light ffmpeg jq curl python3; break; }
done
if [ "${1:-}" != "--no-publish" ]; then
  dotnet publish appliance/Signage.Appliance -c Release -r linux-x64 -o artifacts/appliance -nologo >/dev/null
fi

work=$(mktemp -d)
chmod 755 "$work"  # nginx's workers run as www-data and must read the files it serves
cleanup() { [ -n "${app_pid:-}" ] && kill "$app_pid" 2>/dev/null; [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

SIGNAGE_ADMIN_EMAIL=bench@venue.test SIGNAGE_ADMIN_PASSWORD=benchmark-password SIGNAGE_VENUE_TIMEZONE=Europe/London \
RateLimits__Enabled=false artifacts/appliance/signage-appliance --urls "http://127.0.0.1:$APP_PORT" --data-dir "$work/data" > "$work/appliance.log" 2>&1 &
app_pid=$!
base="http://127.0.0.1:$APP_PORT"
until curl -sf "$base/healthz" >/dev/null; do sleep 0.1; done

json() { curl -sf -H "Content-Type: application/json" -H "Authorization: Bearer $token" "$@"; }
token=$(curl -sf -H "Content-Type: application/json" -d '{"email":"bench@venue.test","password":"benchmark-password"}' "$base/v1/auth/login" | jq -r .accessToken)
venue=$(json "$base/v1/me/venues" | jq -r '.items[0].venueId')

# A 50 MB H.264 video: 50 s of 720p at 8 Mbit/s.
ffmpeg -loglevel error -f lavfi -i testsrc=size=1280x720:rate=25 -t 50 -c:v libx264 -preset ultrafast -b:v 8M -maxrate 8M -bufsize 8M -pix_fmt yuv420p "$work/video.mp4"
size=$(stat -c %s "$work/video.mp4")
upload=$(json -d "{\"fileName\":\"video.mp4\",\"sizeBytes\":$size}" "$base/v1/venues/$venue/assets/uploads")
curl -sf -X PUT -H "Authorization: Bearer $token" --data-binary "@$work/video.mp4" "$base$(echo "$upload" | jq -r .uploadUrl)" >/dev/null
json -X POST "$base/v1/venues/$venue/assets/uploads/$(echo "$upload" | jq -r .uploadId)/complete" >/dev/null
asset=$(echo "$upload" | jq -r .assetId)
until [ "$(json "$base/v1/venues/$venue/assets/$asset" | jq -r .status)" = "READY" ]; do sleep 0.2; done
sha=$(json "$base/v1/venues/$venue/assets/$asset" | jq -r .sha256)

playlist=$(curl -sf -D "$work/h" -H "Content-Type: application/json" -H "Authorization: Bearer $token" -d '{"name":"Bench"}' "$base/v1/venues/$venue/playlists" | jq -r .playlistId)
etag=$(grep -i '^etag:' "$work/h" | cut -d' ' -f2 | tr -d '\r')
curl -sf -D "$work/h" -o /dev/null -X PUT -H "Content-Type: application/json" -H "Authorization: Bearer $token" -H "If-Match: $etag" \
  -d "{\"items\":[{\"assetId\":\"$asset\"}]}" "$base/v1/venues/$venue/playlists/$playlist/items"
etag=$(grep -i '^etag:' "$work/h" | cut -d' ' -f2 | tr -d '\r')
curl -sf -o /dev/null -X POST -H "Authorization: Bearer $token" -H "If-Match: $etag" "$base/v1/venues/$venue/playlists/$playlist/publish"
venue_json=$(json "$base/v1/venues/$venue")
curl -sf -D "$work/h" -o /dev/null "$base/v1/venues/$venue" -H "Authorization: Bearer $token"
etag=$(grep -i '^etag:' "$work/h" | cut -d' ' -f2 | tr -d '\r')
json -X PUT -H "If-Match: $etag" -d "$(echo "$venue_json" | jq -c "{name, timezone, openingHours, fallbackPlaylistId: \"$playlist\"}")" "$base/v1/venues/$venue" >/dev/null

pairing=$(curl -sf -H "Content-Type: application/json" -d '{"deviceHardwareId":"bench-screen"}' "$base/v1/devices/pairing/start")
json -d "{\"pairingCode\":\"$(echo "$pairing" | jq -r .pairingCode)\",\"name\":\"Bench screen\"}" "$base/v1/venues/$venue/devices/pairing/claim" >/dev/null
device=$(curl -sf -H "X-Pairing-Secret: $(echo "$pairing" | jq -r .pairingSecret)" "$base/v1/devices/pairing/status?pairingId=$(echo "$pairing" | jq -r .pairingId)" | jq -r .deviceToken)

mkdir -p "$work/www"
curl -sf -D "$work/h" -H "Authorization: Bearer $device" "$base/v1/player/manifest" -o "$work/www/manifest.json"
manifest_etag=$(grep -i '^etag:' "$work/h" | cut -d' ' -f2 | tr -d '\r')
cp "$work/video.mp4" "$work/www/video.mp4"
cat > "$work/nginx.conf" <<NGINX
worker_processes 2; pid $work/nginx.pid; error_log $work/nginx-error.log; daemon on;
events { worker_connections 1024; }
http { access_log off; sendfile on; tcp_nopush on; keepalive_requests 1000000;
  types { application/json json; video/mp4 mp4; }
  server { listen 127.0.0.1:$NGINX_PORT; root $work/www; } }
NGINX
nginx -c "$work/nginx.conf"

rate() { grep -E '^Requests/sec' | awk '{print $2}'; }
transfer() { grep -E '^Transfer/sec' | awk '{print $2}'; }
p99() { grep -E '^ +99%' | awk '{print $2}'; }
cpu_ticks() { awk '{print $14+$15}' "/proc/$app_pid/stat"; }
run() { wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$@"; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); manifest $(stat -c %s "$work/www/manifest.json") bytes; video $size bytes"
# Three interleaved rounds, so a busy moment on the shared cores hits every contender alike; medians reported.
median() { sort -n | sed -n 2p; }
r304s=(); r200s=(); rns=(); p304s=(); p200s=(); pns=()
ticks0=$(cpu_ticks); start=$(date +%s.%N)
media_rounds() {
  local apps=() ngxs=()
  for round in 1 2 3; do
    apps+=("$(wrk -t2 -c8 -d"$DURATION" -H "Authorization: Bearer $device" "$base/v1/assets/$sha" | transfer)")
    ngxs+=("$(wrk -t2 -c8 -d"$DURATION" "http://127.0.0.1:$NGINX_PORT/video.mp4" | transfer)")
  done
  printf 'media (8 connections, three interleaved rounds): appliance %s/s, nginx %s/s\n' "${apps[*]}" "${ngxs[*]}"
}
if [ "${ONLY:-}" = media ]; then media_rounds; exit 0; fi
for round in 1 2 3; do
  out=$(run -H "Authorization: Bearer $device" -H "If-None-Match: $manifest_etag" "$base/v1/player/manifest"); r304s+=("$(echo "$out" | rate)"); p304s+=("$(echo "$out" | p99)")
  out=$(run -H "Authorization: Bearer $device" "$base/v1/player/manifest"); r200s+=("$(echo "$out" | rate)"); p200s+=("$(echo "$out" | p99)")
  out=$(run "http://127.0.0.1:$NGINX_PORT/manifest.json"); rns+=("$(echo "$out" | rate)"); pns+=("$(echo "$out" | p99)")
done
elapsed=$(echo "$(date +%s.%N) - $start" | bc); ticks1=$(cpu_ticks)
r304=$(printf '%s\n' "${r304s[@]}" | median); r200=$(printf '%s\n' "${r200s[@]}" | median); rn=$(printf '%s\n' "${rns[@]}" | median)

printf 'manifest 304: median %s req/s of %s (p99 %s)\n' "$r304" "${r304s[*]}" "${p304s[*]}"
printf 'manifest 200: median %s req/s of %s (p99 %s)\n' "$r200" "${r200s[*]}" "${p200s[*]}"
printf 'nginx json:   median %s req/s of %s (p99 %s)\n' "$rn" "${rns[*]}" "${pns[*]}"
printf 'ratios: 304/nginx %.2f, 200/nginx %.2f\n' "$(echo "$r304 / $rn" | bc -l)" "$(echo "$r200 / $rn" | bc -l)"
printf 'appliance CPU over the nine runs: %.0f%% of one core (it shares the 2 cores with wrk and nginx); RSS %s, peak %s\n' \
  "$(echo "($ticks1 - $ticks0) / $(getconf CLK_TCK) / $elapsed * 100" | bc -l)" \
  "$(grep VmRSS /proc/$app_pid/status | awk '{print $2" "$3}')" "$(grep VmHWM /proc/$app_pid/status | awk '{print $2" "$3}')"
media_rounds

# 500 held requests, then a change that every screen must see.
python3 benchmarks/load/held-requests.py "$APP_PORT" "$device" "$manifest_etag" 500 "$work/ready" > "$work/held.txt" &
held_pid=$!
until [ -f "$work/ready" ]; do sleep 0.1; done
rss_held=$(grep VmRSS /proc/$app_pid/status | awk '{print $2" "$3}')
curl -sf -D "$work/h" -o /dev/null "$base/v1/venues/$venue" -H "Authorization: Bearer $token"
etag=$(grep -i '^etag:' "$work/h" | cut -d' ' -f2 | tr -d '\r')
date +%s.%N > "$work/ready.published"
json -X PUT -H "If-Match: $etag" -d "$(json "$base/v1/venues/$venue" | jq -c '{name, timezone: "Europe/Dublin", openingHours, fallbackPlaylistId}')" "$base/v1/venues/$venue" >/dev/null
wait "$held_pid"
echo "500 held requests: appliance RSS while holding $rss_held; $(cat "$work/held.txt")"

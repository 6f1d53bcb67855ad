#!/usr/bin/env bash
# Upload + validation throughput of the native appliance, end to end over HTTP on loopback:
#   1. publishes the appliance (or uses $SIGNAGE_APPLIANCE_BIN),
#   2. makes a real H.264/AAC MP4 of about SIZE_MB with ffmpeg (CBR, under the 10 Mbps limit),
#   3. starts the appliance on a free loopback port with a temp data directory and an admin,
#   4. creates an upload session, PUTs the file with curl (streamed), completes it, polls until READY,
#   5. prints MB/s of the PUT and of complete → READY (hash + inspection + thumbnail + blob move),
#      and the appliance's peak RSS (VmHWM from /proc/<pid>/status).
# Usage: benchmarks/upload/run.sh [SIZE_MB]   (default 100). Needs curl and ffmpeg.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
size_mb=${1:-100}
work=$(mktemp -d /tmp/signage-upload-bench.XXXXXX)
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid"; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

field() { sed -n "s/.*\"$1\":\"\\{0,1\\}\\([^\",}]*\\).*/\\1/p"; } # one field of a flat JSON object
now() { date +%s.%N; }
mbps() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.1f", b / 1048576 / s }'; }

bin=${SIGNAGE_APPLIANCE_BIN:-}
if [ -z "$bin" ]; then
  echo "Publishing the native appliance…"
  dotnet publish appliance/Signage.Appliance -c Release -r linux-x64 -o "$root/artifacts/bench-appliance" -nologo > "$work/publish.log" 2>&1 \
    || { cat "$work/publish.log"; exit 1; }
  bin="$root/artifacts/bench-appliance/signage-appliance"
fi

# 110 s at a constant bitrate that makes SIZE_MB (filler data keeps x264 at the rate on easy content).
seconds=110
video_kbps=$(( size_mb * 1048576 * 8 / seconds / 1000 - 128 - 40 ))
echo "Making a ${size_mb} MB H.264/AAC MP4 (${seconds} s at ${video_kbps} kbps)…"
ffmpeg -nostdin -hide_banner -loglevel error \
  -f lavfi -i testsrc2=size=1280x720:rate=25 -f lavfi -i sine=frequency=440:sample_rate=48000 -t "$seconds" \
  -c:v libx264 -preset ultrafast -pix_fmt yuv420p -b:v "${video_kbps}k" -minrate "${video_kbps}k" -maxrate "${video_kbps}k" \
  -bufsize "$(( video_kbps * 2 ))k" -x264-params nal-hrd=cbr -c:a aac -b:a 128k -movflags +faststart -y "$work/video.mp4"
bytes=$(stat -c %s "$work/video.mp4")

port=$(( 20000 + RANDOM % 20000 ))
base="http://127.0.0.1:$port"
SIGNAGE_ADMIN_EMAIL=bench@venue.test SIGNAGE_ADMIN_PASSWORD='benchmark password' \
  "$bin" --urls "$base" --data-dir "$work/data" > "$work/appliance.log" 2>&1 &
pid=$!
for _ in $(seq 100); do curl -fs "$base/healthz" > /dev/null 2>&1 && break; sleep 0.1; done
rss_idle=$(awk '/VmRSS/ { print $2 }' "/proc/$pid/status")

token=$(curl -fsS -X POST "$base/v1/auth/login" -H 'Content-Type: application/json' \
  -d '{"email":"bench@venue.test","password":"benchmark password"}' | field accessToken)
auth="Authorization: Bearer $token"
venue=$(curl -fsS "$base/v1/me/venues" -H "$auth" | field venueId)
sha=$(sha256sum "$work/video.mp4" | cut -d' ' -f1)
session=$(curl -fsS -X POST "$base/v1/venues/$venue/assets/uploads" -H "$auth" -H 'Content-Type: application/json' \
  -d "{\"fileName\":\"video.mp4\",\"sizeBytes\":$bytes,\"sha256\":\"$sha\"}")
upload=$(echo "$session" | field uploadId)
asset=$(echo "$session" | field assetId)
url=$(echo "$session" | field uploadUrl)

echo "Uploading $bytes bytes…"
put_start=$(now)
curl -fsS -T "$work/video.mp4" -H "$auth" -H 'Content-Type: application/octet-stream' -H 'Expect:' "$base$url" > /dev/null
put_end=$(now)

curl -fsS -X POST "$base/v1/venues/$venue/assets/uploads/$upload/complete" -H "$auth" > /dev/null
status=PROCESSING
while [ "$status" = PROCESSING ]; do
  sleep 0.02
  status=$(curl -fsS "$base/v1/venues/$venue/assets/$asset" -H "$auth" | field status)
done
ready_end=$(now)
rss_peak=$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status")
[ "$status" = READY ] || { echo "Asset ended $status:"; curl -fsS "$base/v1/venues/$venue/assets/$asset" -H "$auth"; echo; exit 1; }

put_s=$(awk -v a="$put_start" -v b="$put_end" 'BEGIN { print b - a }')
ready_s=$(awk -v a="$put_end" -v b="$ready_end" 'BEGIN { print b - a }')
echo
echo "file            $bytes bytes ($(mbps "$bytes" 1) MiB), H.264/AAC, sha256 declared"
printf 'PUT             %.2f s  %s MiB/s\n' "$put_s" "$(mbps "$bytes" "$put_s")"
printf 'complete→READY  %.2f s  %s MiB/s (SHA-256, inspection, thumbnail, blob rename; incl. 20 ms polling)\n' "$ready_s" "$(mbps "$bytes" "$ready_s")"
echo "RSS             idle $(( rss_idle / 1024 )) MiB, peak (VmHWM) $(( rss_peak / 1024 )) MiB"

#!/usr/bin/env bash
# Load beside the references, one command (issue 10, item 2). Builds the release binaries once, then runs the
# benchmarks that already measure each piece beside its reference tool on this machine, one after the other
# (so they never compete for the two cores), and writes one results table:
#   manifest 304 / 200 paths and media download beside nginx serving the same bytes   benchmarks/load/device-plane.sh
#   durable event ingestion beside the sqlite3 tool's bulk insert into the same schema  benchmarks/ingest/run.sh
#   hub sync ingestion (POST /v1/sync/up) beside raw PostgreSQL COPY + ON CONFLICT     benchmarks/hub/run.sh
# Each load comes from a second process on loopback (wrk, LoadGen, the hub benchmark's client).
# Usage: benchmarks/references.sh [--no-publish]
# Output: each script's own output in artifacts/benchmarks/<piece>.txt, the table in artifacts/benchmarks/results.md
#   (printed at the end; copy it into docs/PERFORMANCE.md). Sizes: HUB_ARGS (default a quarter of the hub
#   benchmark's own sizes, about a minute), REFERENCE_ROWS (sqlite3, default 300,000), SECONDS_RUN (ingestion,
#   default 20), DURATION (wrk, default 5s).
set -euo pipefail
cd "$(dirname "$0")/.."
out=artifacts/benchmarks
mkdir -p "$out"
HUB_ARGS=${HUB_ARGS:---backlog 300000 --appliances 4 --per-appliance 75000 --raw-rows 300000}
export REFERENCE_ROWS=${REFERENCE_ROWS:-300000} # the sqlite3 reference's rows (benchmarks/ingest/run.sh; its own default is 1,000,000)

if [ "${1:-}" != "--no-publish" ]; then
  echo "== building the release binaries"
  dotnet publish appliance/Signage.Appliance -c Release -r linux-x64 -o artifacts/appliance -nologo -clp:ErrorsOnly >/dev/null
fi
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

echo "== device plane beside nginx (benchmarks/load/device-plane.sh)"
benchmarks/load/device-plane.sh --no-publish | tee "$out/device-plane.txt"
echo "== event ingestion beside sqlite3 (benchmarks/ingest/run.sh)"
benchmarks/ingest/run.sh --no-publish | tee "$out/ingest.txt"
echo "== hub sync ingestion beside PostgreSQL COPY (benchmarks/hub/run.sh $HUB_ARGS)"
# shellcheck disable=SC2086
benchmarks/hub/run.sh $HUB_ARGS | tee "$out/hub.txt"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

python3 - "$out" "$load_before" "$load_after" <<'PY' | tee "$out/results.md"
import os, re, sys, datetime
out, before, after = sys.argv[1:4]
def text(name): return open(os.path.join(out, name + ".txt")).read()
def find(pattern, source):
    match = re.search(pattern, source, re.M)
    if not match: raise SystemExit(f"results: no line matching {pattern!r} in {out}; see the benchmark's own output there")
    return float(match.group(1).replace(",", ""))
def size(value):  # wrk's transfer rate, e.g. 851.23MB -> MiB
    number, unit = re.match(r"([\d.]+)([KMG]?B)", value).groups()
    return float(number) * {"B": 1 / 2**20, "KB": 1 / 1024, "MB": 1, "GB": 1024}[unit]
device, ingest, hub = text("device-plane"), text("ingest"), text("hub")
nginx = find(r"^nginx json:\s+median ([\d.]+)", device)
media = re.search(r"^media .*: appliance (.*)/s, nginx (.*)/s", device, re.M)
median = lambda values: sorted(size(v) for v in values.split())[len(values.split()) // 2]
rows = [
    ("manifest 304 (If-None-Match), req/s", find(r"^manifest 304:\s+median ([\d.]+)", device), "nginx, same JSON bytes", nginx),
    ("manifest 200, req/s", find(r"^manifest 200:\s+median ([\d.]+)", device), "nginx, same JSON bytes", nginx),
    ("media download, MiB/s", median(media.group(1)), "nginx, same file", median(media.group(2))),
    ("event ingestion (durable), events/s", find(r"events_per_second=([\d.]+)", ingest), "sqlite3 CLI, same rows into our schema, 100-row transactions", find(r"^reference\(schema\) .*rows_per_second=([\d.]+)", ingest)),
    ("event ingestion (durable), events/s", find(r"events_per_second=([\d.]+)", ingest), "sqlite3 CLI, bare table, 100-row transactions", find(r"^reference\(bare\) .*rows_per_second=([\d.]+)", ingest)),
    ("hub sync/up, 1 appliance draining, records/s", find(r"^hub, 1 appliance draining .* = ([\d,]+) records/s", hub), "PostgreSQL COPY + ON CONFLICT", find(r"^raw PostgreSQL COPY .* = ([\d,]+) rows/s", hub)),
    ("hub sync/up, 4 appliances at once, records/s", find(r"^hub, \d+ appliances at once, .* = ([\d,]+) records/s", hub), "PostgreSQL COPY + ON CONFLICT", find(r"^raw PostgreSQL COPY .* = ([\d,]+) rows/s", hub)),
]
print(f"Load beside the references, {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
      f"load average {before} before, {after} after (`benchmarks/references.sh`; each script's output in {out}/).\n")
print("| path | ours | reference | reference's | ours / reference |")
print("|---|---:|---|---:|---:|")
for name, ours, reference, theirs in rows:
    print(f"| {name} | {ours:,.0f} | {reference} | {theirs:,.0f} | {ours / theirs:.2f} |")
PY

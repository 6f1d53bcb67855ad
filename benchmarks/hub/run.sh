#!/usr/bin/env bash
# Hub ingestion benchmark: raw PostgreSQL COPY + ON CONFLICT beside the real hub's POST /v1/sync/up.
# Starts its own durable PostgreSQL cluster (Debian's postgresql) and the Release hub; prints the numbers
# recorded in docs/PERFORMANCE.md. Usage: benchmarks/hub/run.sh [--backlog 1200000] [--appliances 4]
#   [--per-appliance 300000] [--raw-rows 1000000] [--ids v7|random] [--in-flight 1] [--warm-up 40000]
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build cloud-hub/Signage.CloudHub -c Release -nologo -clp:ErrorsOnly
dotnet build benchmarks/hub/Signage.Hub.Benchmarks -c Release -nologo -clp:ErrorsOnly
uptime
SIGNAGE_HUB_DLL="$PWD/cloud-hub/Signage.CloudHub/bin/Release/net10.0/signage-hub.dll" \
  dotnet benchmarks/hub/Signage.Hub.Benchmarks/bin/Release/net10.0/Signage.Hub.Benchmarks.dll "$@"
uptime

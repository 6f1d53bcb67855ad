#!/usr/bin/env bash
# The long fault-injection run (issue 10): the same tests as the short run in ./test.sh, with more
# iterations. Publishes the native appliance, builds the test projects and runs:
#   tests/Signage.FaultInjection.Tests        kill -9 of the appliance, appliance and hub fuzz, disk full, corrupt blobs, clocks
#   tests/Signage.Appliance.Tests  HubFaultTests  a week offline (FAULTS_WEEK_PLAYS plays), PostgreSQL stopped under the hub,
#                                                 a damaged hub-shared blob repaired from the hub
#   tests/Signage.Player.EndToEnd.Tests  KilledMidDownloadTests  kill -9 of a player mid-download
# Usage: benchmarks/faults/run.sh [kill iterations=100] [fuzz cases per route=1000] [--no-publish]
#   FAULTS_WEEK_PLAYS (default 302400 = 10 screens, a play every 10 s, 12 h a day, 7 days)
# Results: the test output (kill by kill, cases and statuses, drain times); record them in docs/RELIABILITY.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "${3:-}" != "--no-publish" ]; then
  dotnet publish appliance/Signage.Appliance -c Release -r linux-x64 -o artifacts/appliance -nologo -clp:ErrorsOnly >/dev/null
  for project in Signage.FaultInjection.Tests Signage.Appliance.Tests Signage.Player.EndToEnd.Tests; do
    dotnet build "tests/$project" -c Release -nologo -clp:ErrorsOnly >/dev/null
  done
fi
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
export SIGNAGE_APPLIANCE_BIN=${SIGNAGE_APPLIANCE_BIN:-$PWD/artifacts/appliance/signage-appliance}
export FAULTS_KILL_ITERATIONS=${1:-100} FUZZ_CASES_PER_ROUTE=${2:-1000} FAULTS_WEEK_PLAYS=${FAULTS_WEEK_PLAYS:-302400}
status=0
dotnet test tests/Signage.FaultInjection.Tests -c Release --no-build -nologo --logger "console;verbosity=detailed" || status=1
dotnet test tests/Signage.Appliance.Tests -c Release --no-build -nologo --filter "FullyQualifiedName~HubFaultTests" \
  --logger "console;verbosity=detailed" || status=1
dotnet test tests/Signage.Player.EndToEnd.Tests -c Release --no-build -nologo --filter "FullyQualifiedName~KilledMidDownloadTests" \
  --logger "console;verbosity=detailed" || status=1
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$status"

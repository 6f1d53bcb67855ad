#!/usr/bin/env bash
# The long fault-injection run (issue 10): the same tests as the short run in ./test.sh, with more
# iterations. Publishes the native appliance, builds the fault-injection tests and runs them.
# Usage: benchmarks/faults/run.sh [kill iterations=100] [fuzz cases per route=1000] [--no-publish]
# Results: the test output (kill by kill, cases and statuses); record them in docs/RELIABILITY.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "${3:-}" != "--no-publish" ]; then
  dotnet publish appliance/Signage.Appliance -c Release -r linux-x64 -o artifacts/appliance -nologo -clp:ErrorsOnly >/dev/null
  dotnet build tests/Signage.FaultInjection.Tests -c Release -nologo -clp:ErrorsOnly >/dev/null
fi
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
SIGNAGE_APPLIANCE_BIN=${SIGNAGE_APPLIANCE_BIN:-$PWD/artifacts/appliance/signage-appliance} \
FAULTS_KILL_ITERATIONS=${1:-100} FUZZ_CASES_PER_ROUTE=${2:-1000} \
  dotnet test tests/Signage.FaultInjection.Tests -c Release --no-build -nologo --logger "console;verbosity=detailed"

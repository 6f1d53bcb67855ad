#!/usr/bin/env bash
# Runs every test of the repository on a fresh Debian machine of this kind:
#   1. installs the system packages the suite needs (once; later runs find them),
#   2. builds everything in Release with warnings as errors,
#   3. publishes the native AOT appliance once and fails on any trim/AOT warning,
#   4. runs every test project; the end-to-end tests run that native binary.
# Usage: ./test.sh [extra dotnet test arguments, e.g. --filter HostTests]
set -euo pipefail
cd "$(dirname "$0")"
root=$(pwd)
artifacts="$root/artifacts"
mkdir -p "$artifacts"

step() { printf '\n==> %s\n' "$*"; }

# --- 1. System packages -------------------------------------------------------------------
# clang + zlib1g-dev: the native AOT linker. ffmpeg: video and image thumbnails (the appliance
# works without it, with placeholder thumbnails; the tests cover both).
packages=(clang zlib1g-dev ffmpeg chromium)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  step "Installing ${missing[*]}"
  sudo_cmd=(); [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}"
fi

# Cloud hub tests: Debian's PostgreSQL server. The tests start their own throwaway cluster on a
# loopback port (tests/Signage.TestInfrastructure/PostgresServer.cs); the packaged cluster is not used.
if ! dpkg-query -W -f='${Status}' postgresql 2>/dev/null | grep -q "install ok installed"; then
  step "Installing postgresql"
  sudo_cmd=(); [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq postgresql
fi

# --- 2. Build --------------------------------------------------------------------------
step "Building Appliance.sln (Release, warnings are errors)"
dotnet build Appliance.sln -c Release -nologo -clp:ErrorsOnly

# --- 3. Native AOT publish ---------------------------------------------------------------
step "Publishing the native appliance"
publish_log="$artifacts/publish-appliance.log"
if ! dotnet publish appliance/Signage.Appliance -c Release -r linux-x64 -o "$artifacts/appliance" -nologo > "$publish_log" 2>&1; then
  cat "$publish_log"; echo "Native publish failed." >&2; exit 1
fi
# The only tolerated warnings: jose-jwt's own reflection mapper, which we replace (docs/ARCHITECTURE.md).
if grep -E "warning (IL|AOT)[0-9]+" "$publish_log" | grep -vE "warning IL(2026|3050): Jose\.(JsonMapper|NestedDictionariesConverter)\."; then
  echo "The native publish has trim/AOT warnings (above)." >&2; exit 1
fi
ls -la "$artifacts/appliance"
export SIGNAGE_APPLIANCE_BIN="$artifacts/appliance/signage-appliance"

# --- 4. Tests ----------------------------------------------------------------------------
step "Running the tests"
test_log="$artifacts/test.log"
set +e
dotnet test Appliance.sln -c Release --no-build -nologo "$@" 2>&1 | tee "$test_log"
status=${PIPESTATUS[0]}
set -e

# One closing line over all test projects, in the form CI reads.
awk '
  /(Passed|Failed)! +- +Failed:/ {
    gsub(/,/, ""); for (i = 1; i <= NF; i++) {
      if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1)
    }
    runs++
  }
  END { if (runs == 0) { print "0 passed, 1 failed (no test ran)"; exit 1 } printf "%d passed, %d failed, %d skipped\n", p, f, s }
' "$test_log" || status=1
exit "$status"

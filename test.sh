#!/usr/bin/env bash
# Runs every test of the repository on a fresh Debian machine of this kind:
#   1. installs the system packages the suite needs (once; later runs find them),
#   2. builds everything in Release with warnings as errors,
#   3. publishes the release artifacts once (publish.sh: native appliance and CLI, hub) and
#      fails on any trim/AOT warning,
#   4. runs every test project; the end-to-end tests run those native binaries.
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
# systemd: `systemd-analyze verify` checks the installer's unit (tests/Signage.Cli.Tests).
packages=(clang zlib1g-dev ffmpeg chromium systemd)
# iproute2: `ip netns` for the mDNS discovery tests (tests/Signage.Discovery.Tests run real multicast
# between network namespaces joined by a veth pair; they need root, as CI runs this script).
packages+=(iproute2)
# postgresql: the hub tests start their own throwaway cluster on a loopback port
# (tests/Signage.TestInfrastructure/PostgresServer.cs); the packaged cluster is not used.
packages+=(postgresql)
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

# --- 1b. S3-compatible server for the hub's S3 blob store tests ---------------------------------
# tests/Signage.CloudHub.Tests/BlobStoreTests.cs runs the library's blob tests against the disk store
# and against a real S3-compatible server, npm's s3rver (pinned in tests/tools/s3rver/package-lock.json),
# which tests/Signage.TestInfrastructure/S3Server.cs starts on a loopback port. Needs node + npm
# (Debian's nodejs/npm when neither is there).
if ! command -v npm >/dev/null; then
  step "Installing nodejs npm"
  sudo_cmd=(); [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq nodejs npm
fi
step "Installing s3rver (npm ci in tests/tools/s3rver)"
npm ci --prefix tests/tools/s3rver --no-audit --no-fund --loglevel=error

# --- 2. Build --------------------------------------------------------------------------
step "Building Appliance.sln (Release, warnings are errors)"
dotnet build Appliance.sln -c Release -nologo -clp:ErrorsOnly

# --- 3. Native AOT publish ---------------------------------------------------------------
# publish.sh = the release build (publish.ps1 mirrors it): the native appliance and CLI, the hub
# self-contained, SHA256SUMS; it fails on any trim/AOT warning. The end-to-end tests run these binaries.
step "Publishing the release artifacts (publish.sh)"
./publish.sh --output "$artifacts/publish"
rid="linux-$(case "$(uname -m)" in aarch64|arm64) echo arm64 ;; *) echo x64 ;; esac)"
export SIGNAGE_APPLIANCE_BIN="$artifacts/publish/appliance-$rid/signage-appliance"
export SIGNAGE_CLI_BIN="$artifacts/publish/cli-$rid/signage"
ls -la "$SIGNAGE_APPLIANCE_BIN" "$SIGNAGE_CLI_BIN"

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

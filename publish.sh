#!/usr/bin/env bash
# Builds the release artifacts for this machine's OS and CPU (publish.ps1 does the same steps in
# PowerShell; keep the two in step):
#   artifacts/publish/appliance-<rid>/signage-appliance   native AOT, SQLite linked in
#   artifacts/publish/cli-<rid>/signage                   native AOT
#   artifacts/publish/hub-<rid>/                          the cloud hub, self-contained (skipped
#                                                         with a warning while cloud-hub/Signage.CloudHub
#                                                         does not exist)
#   artifacts/publish/SHA256SUMS                          for `sha256sum -c`
# Fails (exit 1) on a failed publish or on any trim/AOT warning in a native binary, except the
# jose-jwt warnings docs/ARCHITECTURE.md explains. test.sh runs this script.
# Usage: ./publish.sh [--runtime linux-x64|linux-arm64] [--output DIR]
set -euo pipefail
cd "$(dirname "$0")"

case "$(uname -m)" in x86_64|amd64) arch=x64 ;; aarch64|arm64) arch=arm64 ;; *) arch=$(uname -m) ;; esac
runtime="linux-$arch"
output="$(pwd)/artifacts/publish"
while (($#)); do
  case "$1" in
    --runtime) runtime="${2:?}"; shift 2 ;;
    --output) output="$(mkdir -p "$2" && cd "$2" && pwd)"; shift 2 ;;
    *) echo "publish.sh: unknown option $1 (use --runtime RID, --output DIR)" >&2; exit 64 ;;
  esac
done
mkdir -p "$output"
logs="$output/logs"
mkdir -p "$logs"

# name, project, kind (aot | self-contained)
projects=(
  "appliance appliance/Signage.Appliance aot"
  "cli cli/Signage.Cli aot"
  "hub cloud-hub/Signage.CloudHub self-contained"
)
tolerated='warning IL(2026|3050): Jose\.(JsonMapper|NestedDictionariesConverter)\.'

for entry in "${projects[@]}"; do
  read -r name project kind <<<"$entry"
  destination="$output/$name-$runtime"
  log="$logs/publish-$name.log"
  if [[ ! -d "$project" ]]; then
    echo "publish.sh: warning: $project does not exist; $name skipped" >&2
    continue
  fi
  echo "==> $name ($kind) for $runtime -> $destination"
  rm -rf "$destination"
  extra=()
  [[ "$kind" == self-contained ]] && extra=(--self-contained true -p:PublishAot=false)
  if ! dotnet publish "$project" -c Release -r "$runtime" -o "$destination" -nologo "${extra[@]}" >"$log" 2>&1; then
    cat "$log" >&2; echo "publish.sh: publishing $name failed (log: $log)" >&2; exit 1
  fi
  if [[ "$kind" == aot ]] && grep -E "warning (IL|AOT)[0-9]+" "$log" | grep -vE "$tolerated" | sort -u | grep .; then
    echo "publish.sh: $name has trim/AOT warnings (above); the native binary must have none" >&2; exit 1
  fi
done

(cd "$output" && find . -path ./logs -prune -o -type f ! -name SHA256SUMS -print | sed 's|^\./||' | sort | xargs -d '\n' sha256sum > SHA256SUMS)
echo "Done: $output"
ls -l "$output"/*/signage* 2>/dev/null || true

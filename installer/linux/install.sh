#!/usr/bin/env bash
# Installs or upgrades the Signage appliance on a Debian/Ubuntu mini-PC (x64 or arm64).
#
#   sudo ./install.sh --from artifacts/publish          # binaries from publish.sh / publish.ps1
#   sudo ./install.sh --from DIR --with-ffmpeg --port 80
#
# What it does (each step is idempotent; an upgrade is the same command with newer binaries):
#   - service user `signage` (system, no shell, no home), data in /var/lib/signage (mode 700)
#   - binaries in /opt/signage/bin (signage-appliance, signage); /usr/local/bin/signage links the CLI
#   - the hardened unit /etc/systemd/system/signage.service (see signage.service beside this file)
#   - ufw rules for the HTTP port and mDNS (5353/udp) when ufw is active; ffmpeg with --with-ffmpeg
#   - upgrade: the running binary is kept as signage-appliance.previous; when the new one does not
#     answer /healthz within 30 s it is put back, the service restarted, and the script exits 1.
# Then provision once:  sudo -u signage signage provision --venue-name … --admin-email …
#
# For tests and image builds: --root DIR installs into DIR instead of / (no user, no ufw, no apt),
# and --no-systemctl skips systemctl; the health check then starts the installed binary itself on
# a scratch data directory.
set -euo pipefail

root=""
from=""
port=5080
with_ffmpeg=0
use_systemctl=1
health_timeout=30

usage() { sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "install.sh: $*" >&2; exit 1; }

while (($#)); do
  case "$1" in
    --root) root="${2:?--root needs a directory}"; shift 2 ;;
    --from) from="${2:?--from needs a directory}"; shift 2 ;;
    --port) port="${2:?--port needs a number}"; shift 2 ;;
    --with-ffmpeg) with_ffmpeg=1; shift ;;
    --no-systemctl) use_systemctl=0; shift ;;
    --health-timeout) health_timeout="${2:?}"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option $1" ;;
  esac
done

[[ "$port" =~ ^[0-9]+$ ]] && ((port > 0 && port < 65536)) || die "--port must be 1-65535, not '$port'"
if [[ -z "$root" ]]; then
  [[ $(id -u) -eq 0 ]] || die "run as root (sudo), or give --root DIR"
  [[ -r /etc/debian_version ]] || echo "install.sh: warning: not Debian/Ubuntu; continuing" >&2
fi
root="${root%/}"

case "$(uname -m)" in
  x86_64|amd64) arch=x64 ;;
  aarch64|arm64) arch=arm64 ;;
  *) die "unsupported CPU $(uname -m): the appliance is built for x64 and arm64" ;;
esac

# Where the binaries come from: --from, else the publish script's output for this machine.
script_dir=$(cd "$(dirname "$0")" && pwd)
if [[ -z "$from" ]]; then
  for candidate in "$script_dir" "$script_dir/../../artifacts/publish"; do
    [[ -x "$candidate/signage-appliance" || -x "$candidate/appliance-linux-$arch/signage-appliance" ]] && { from="$candidate"; break; }
  done
fi
[[ -n "$from" ]] || die "no binaries found: pass --from DIR (the output of publish.sh)"
find_binary() {
  local name=$1
  for candidate in "$from/$name" "$from/appliance-linux-$arch/$name" "$from/cli-linux-$arch/$name"; do
    [[ -x "$candidate" ]] && { echo "$candidate"; return; }
  done
  die "$name not found under $from"
}
appliance_src=$(find_binary signage-appliance)
cli_src=$(find_binary signage)

bin_dir="$root/opt/signage/bin"
data_dir="$root/var/lib/signage"
unit_path="$root/etc/systemd/system/signage.service"
appliance="$bin_dir/signage-appliance"
previous="$appliance.previous"

# --- service user and folders -------------------------------------------------------------
if [[ -z "$root" ]]; then
  if ! id signage >/dev/null 2>&1; then
    useradd --system --user-group --no-create-home --home-dir /var/lib/signage --shell /usr/sbin/nologin signage
    echo "Created the service user signage"
  fi
fi
install -d -m 755 "$bin_dir" "$root/usr/local/bin" "$(dirname "$unit_path")"
install -d -m 700 "$data_dir"
[[ -z "$root" ]] && chown signage:signage "$data_dir"

# --- binaries (an upgrade keeps the previous appliance for the rollback) ---------------------
upgrade=0
if [[ -x "$appliance" ]]; then
  if cmp -s "$appliance_src" "$appliance"; then
    echo "The appliance binary is already this version"
  else
    upgrade=1
    cp -p "$appliance" "$previous"
  fi
fi
install -m 755 "$appliance_src" "$appliance.new" && mv -f "$appliance.new" "$appliance"
install -m 755 "$cli_src" "$bin_dir/signage.new" && mv -f "$bin_dir/signage.new" "$bin_dir/signage"
ln -sfn /opt/signage/bin/signage "$root/usr/local/bin/signage"

# --- the unit -----------------------------------------------------------------------------
install -m 644 "$script_dir/signage.service" "$unit_path.new" && mv -f "$unit_path.new" "$unit_path"

# --- firewall and ffmpeg (the real machine only) -------------------------------------------
if [[ -z "$root" ]]; then
  if command -v ufw >/dev/null 2>&1 && ufw status 2>/dev/null | grep -q "Status: active"; then
    ufw allow "$port/tcp" comment "signage appliance" >/dev/null
    ufw allow 5353/udp comment "signage mDNS discovery" >/dev/null
    echo "ufw: allowed $port/tcp and 5353/udp"
  fi
  if ((with_ffmpeg)) && ! command -v ffmpeg >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ffmpeg
  fi
fi

# --- start and check health; roll back an upgrade that does not come up ---------------------
healthz() { # port -> 0 when GET /healthz answers 200
  local answer
  answer=$(timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1 && printf 'GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3 && head -1 <&3" 2>/dev/null) || return 1
  [[ "$answer" == *" 200 "* ]]
}

wait_healthy() { # port seconds
  local deadline=$((SECONDS + $2))
  while ((SECONDS < deadline)); do healthz "$1" && return 0; sleep 0.5; done
  return 1
}

check_binary() { # start the installed binary on a scratch data directory; 0 when it answers /healthz
  local scratch check_port pid status=1
  scratch=$(mktemp -d)
  check_port=$(( (RANDOM % 20000) + 30000 ))
  "$appliance" --urls "http://127.0.0.1:$check_port" --data-dir "$scratch" >"$scratch/out.log" 2>&1 &
  pid=$!
  wait_healthy "$check_port" "$health_timeout" && status=0
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
  rm -rf "$scratch"
  return $status
}

start_and_check() {
  if ((use_systemctl)) && [[ -z "$root" ]]; then
    systemctl daemon-reload
    systemctl enable signage.service >/dev/null
    systemctl restart signage.service
    local listen_port=$port
    if [[ -r /var/lib/signage/appliance.env ]] && grep -q '^SIGNAGE_URLS=' /var/lib/signage/appliance.env; then
      listen_port=$(sed -n 's/^SIGNAGE_URLS=[^;]*:\([0-9]\+\).*/\1/p' /var/lib/signage/appliance.env | head -1)
    fi
    wait_healthy "${listen_port:-$port}" "$health_timeout"
  else
    check_binary
  fi
}

if start_and_check; then
  echo "Installed the Signage appliance in $root/opt/signage; data in $root/var/lib/signage; it answers /healthz."
  ((upgrade)) && echo "The release it replaced is kept as $previous."
  exit 0
fi

if ((upgrade)); then
  echo "install.sh: the new appliance did not answer /healthz within ${health_timeout}s; rolling back" >&2
  mv -f "$previous" "$appliance"
  if start_and_check; then
    die "rolled back to the previous appliance, which is running again; the new release was not installed"
  fi
  die "rolled back, but the previous appliance does not answer either: see journalctl -u signage"
fi
die "the appliance does not answer /healthz: see journalctl -u signage (or run $appliance --help)"

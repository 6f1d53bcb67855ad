#!/usr/bin/env bash
# Removes the Signage appliance: the service, its unit and /opt/signage. The data directory
# /var/lib/signage (database, media, keys) and the service user stay unless --purge is given.
#
#   sudo ./uninstall.sh            # keeps /var/lib/signage: reinstalling picks it up again
#   sudo ./uninstall.sh --purge    # also deletes the data and the signage user
#
# --root DIR and --no-systemctl work as for install.sh.
set -euo pipefail

root=""
purge=0
use_systemctl=1
while (($#)); do
  case "$1" in
    --root) root="${2:?--root needs a directory}"; shift 2 ;;
    --purge) purge=1; shift ;;
    --no-systemctl) use_systemctl=0; shift ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "uninstall.sh: unknown option $1" >&2; exit 64 ;;
  esac
done
root="${root%/}"
[[ -n "$root" || $(id -u) -eq 0 ]] || { echo "uninstall.sh: run as root (sudo), or give --root DIR" >&2; exit 1; }

if ((use_systemctl)) && [[ -z "$root" ]] && command -v systemctl >/dev/null 2>&1; then
  systemctl disable --now signage.service 2>/dev/null || true
fi
rm -f "$root/etc/systemd/system/signage.service"
((use_systemctl)) && [[ -z "$root" ]] && systemctl daemon-reload 2>/dev/null || true
rm -rf "$root/opt/signage"
[[ "$(readlink "$root/usr/local/bin/signage" 2>/dev/null)" == /opt/signage/bin/signage ]] && rm -f "$root/usr/local/bin/signage"

if ((purge)); then
  rm -rf "$root/var/lib/signage"
  [[ -z "$root" ]] && id signage >/dev/null 2>&1 && userdel signage
  echo "Removed the Signage appliance and its data."
else
  echo "Removed the Signage appliance; its data is still in $root/var/lib/signage (uninstall.sh --purge deletes it)."
fi

#!/usr/bin/env bash
# mDNS discovery latency on a private two-namespace LAN (veth pair), as root:
#   found: a browser starts → the (already announced) appliance is resolved (SRV + TXT + A)
#   lost:  the responder is told to stop → the browser drops it (goodbye packets)
# Usage: benchmarks/discovery/measure.sh [rounds]   (after `dotnet build tests/Signage.Discovery.Tests -c Release`)
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-10}
dll=tests/Signage.Discovery.TestHost/bin/Release/net10.0/Signage.Discovery.TestHost.dll
[ -f "$dll" ] || { echo "build tests/Signage.Discovery.Tests -c Release first" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "run as root (ip netns)" >&2; exit 1; }
a=sgdbencha; b=sgdbenchb; work=$(mktemp -d)
cleanup() { ip netns del $a 2>/dev/null || true; ip netns del $b 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
ip netns add $a; ip netns add $b
ip link add $a type veth peer name $b
ip link set $a netns $a; ip link set $b netns $b
for pair in "$a 10.99.0.1" "$b 10.99.0.2"; do
  set -- $pair
  ip -n "$1" link set lo up; ip -n "$1" addr add "$2/24" dev "$1"
  ip -n "$1" link set "$1" up multicast on; ip -n "$1" route add 224.0.0.0/4 dev "$1"
done
tick() { sed -n "s/.*\"event\":\"$1\".*\"tick\":\([0-9]*\).*/\1/p" "$2" | head -1; }
printf 'round found_ms lost_ms\n'
for i in $(seq 1 "$rounds"); do
  mkfifo "$work/r$i"
  ip netns exec $a dotnet "$dll" respond --instance "Bench $i" --host bench --port 5080 --interface $a < "$work/r$i" > "$work/resp$i" &
  exec 3> "$work/r$i"
  until grep -q '"ready"' "$work/resp$i" 2>/dev/null; do sleep 0.05; done
  mkfifo "$work/b$i"
  ip netns exec $b dotnet "$dll" browse --interface $b < "$work/b$i" > "$work/browse$i" &
  exec 4> "$work/b$i"
  until grep -q '"found"' "$work/browse$i" 2>/dev/null; do sleep 0.05; done
  echo stop >&3; exec 3>&-
  until grep -q '"lost"' "$work/browse$i" 2>/dev/null; do sleep 0.05; done
  echo stop >&4; exec 4>&-
  wait
  found=$(( $(tick found "$work/browse$i") - $(tick ready "$work/browse$i") ))
  lost=$(( $(tick lost "$work/browse$i") - $(tick stopping "$work/resp$i") ))
  printf '%s %s %s\n' "$i" "$found" "$lost"
done

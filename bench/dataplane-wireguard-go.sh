#!/usr/bin/env bash
# The reference point for bench/dataplane.sh: wireguard-go (the userspace WireGuard in Go, with
# its TUN and UDP offloads) on the same namespace layout — two sites joined through a router
# namespace, MTU 1420 — with iperf3 over one and four TCP streams, and its CPU seconds per
# gigabit. Builds wireguard-go with the Go toolchain (WGGO_VERSION, default latest) and installs
# wireguard-tools (`wg`) and iperf3. Needs root and /dev/net/tun.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] && [ -c /dev/net/tun ] || { echo "needs root and /dev/net/tun" >&2; exit 1; }
. scripts/lib.sh
apt_install iperf3 wireguard-tools iproute2
secs=${BENCH_SECONDS:-10}
bin=${WGGO_BIN:-}
if [ -z "$bin" ]; then
  command -v go >/dev/null || { echo "needs Go to build wireguard-go" >&2; exit 1; }
  gobin=$(mktemp -d)
  GOBIN=$gobin go install "golang.zx2c4.com/wireguard@${WGGO_VERSION:-latest}"
  bin=$gobin/wireguard
fi
echo "== $(date -u +%FT%TZ) $(nproc) cores, $(uname -r), $(go version -m "$bin" 2>/dev/null | awk '$1=="mod"{print $2, $3}')"

r=r$$ a=a$$ b=b$$
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for n in $r $a $b; do ip netns del "$n" 2>/dev/null || true; done
}
trap cleanup EXIT
for n in $r $a $b; do ip netns add "$n"; ip -n "$n" link set lo up; done
ip netns exec $r sysctl -qw net.ipv4.ip_forward=1
i=1
for n in $a $b; do
  ip link add up$i netns "$n" type veth peer name r$i netns $r
  ip -n "$n" addr add 10.$i.0.2/24 dev up$i; ip -n $r addr add 10.$i.0.1/24 dev r$i
  ip -n "$n" link set up$i up; ip -n $r link set r$i up
  ip -n "$n" route add default via 10.$i.0.1
  i=$((i + 1))
done
ka=$(wg genkey) kb=$(wg genkey)
start_wg() { # ns, key, overlay, peer pub, peer endpoint, peer overlay
  # Each instance needs its own interface name: the control sockets in /var/run/wireguard are
  # shared by all namespaces.
  local dev=wg$1
  WG_PROCESS_FOREGROUND=1 ip netns exec "$1" "$bin" -f "$dev" >/dev/null 2>&1 &
  pids+=($!)
  for _ in $(seq 50); do ip -n "$1" link show "$dev" >/dev/null 2>&1 && break; sleep 0.1; done
  sleep 0.3
  ip netns exec "$1" wg set "$dev" listen-port 51820 private-key <(echo "$2") \
    peer "$4" endpoint "$5" allowed-ips "$6/32" persistent-keepalive 25
  ip -n "$1" addr add "$3/24" dev "$dev"
  ip -n "$1" link set "$dev" mtu 1420 up
}
start_wg $a "$ka" 100.64.0.1 "$(echo "$kb" | wg pubkey)" 10.2.0.2:51820 100.64.0.2
start_wg $b "$kb" 100.64.0.2 "$(echo "$ka" | wg pubkey)" 10.1.0.2:51820 100.64.0.1
ip netns exec $a ping -c 3 -W 2 -q 100.64.0.2 >/dev/null
cpu() { # total CPU seconds of the wireguard-go processes
  local t=0
  for p in "${pids[@]}"; do
    t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo "$t"
}
run() { # label, iperf3 args...
  local label=$1; shift
  ip netns exec $b iperf3 -s -1 -D; sleep 0.3
  local c0; c0=$(cpu)
  local bps; bps=$(ip netns exec $a iperf3 -J -c 100.64.0.2 -t "$secs" "$@" | python3 -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"])')
  local c1; c1=$(cpu)
  python3 -c "
bps=$bps; cpu=($c1-$c0)/100; gbit=bps*$secs/1e9
print(f'BENCH wireguard-go, $label: {bps/1e9:.2f} Gb/s, {cpu/gbit:.3f} CPU s/Gbit')"
}
run "1 TCP stream"
run "4 TCP streams" -P 4

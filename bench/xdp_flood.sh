#!/usr/bin/env bash
# Flood benchmark of the agent's XDP guard (issue 15): two real WireGuard dataplanes in network
# namespaces (prefix BENCH_NS_PREFIX, default px-), iperf3 through the tunnel unflooded and while
# a third namespace floods the listen port (junk, data with random receiver indexes, handshake
# initiations) as fast as one socket can; with the guard and without, alternating, BENCH_RUNS
# (default 3) times, BENCH_SECONDS (default 10) per iperf3 run. Bounded in time; removes its
# namespaces on exit. Needs root and /dev/net/tun. See bench/xdp-flood/src/main.rs.
# `bench/xdp_flood.sh cost` measures only the program's cost per packet (BPF_PROG_TEST_RUN with
# BENCH_REPEAT repetitions, BENCH_ROUNDS rounds); `flood` only the flood; no argument does both.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ] || [ ! -c /dev/net/tun ]; then
  echo "bench/xdp_flood.sh: needs root and /dev/net/tun" >&2
  exit 1
fi
. scripts/lib.sh
install_agent_deps
apt_install iperf3 iputils-ping iproute2
cargo build --release --locked -p patronus-xdp-flood
target=${CARGO_TARGET_DIR:-target}/release
echo "== $(date -u +%FT%TZ) $(nproc) cores, $(uname -r), $(git rev-parse --short HEAD 2>/dev/null || echo '?'), loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
case "${1:-all}" in
  cost|all) timeout 300 "$target/patronus-xdp-flood" cost --repeat "${BENCH_REPEAT:-1000000}" --rounds "${BENCH_ROUNDS:-5}" ;;
esac
[ "${1:-all}" = cost ] && exit 0
timeout 900 "$target/patronus-xdp-flood" run --seconds "${BENCH_SECONDS:-10}" --runs "${BENCH_RUNS:-3}" \
  --prefix "${BENCH_NS_PREFIX:-px-}"

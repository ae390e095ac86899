#!/usr/bin/env bash
# Shaping per QoS class (issue 15's acceptance): site A's uplink behind a 20 Mbit/s bottleneck
# with a deep buffer in the router namespace, with A's tc shaping and without it (the control).
# Prints, for each: the round trips of a 1 Mbit/s EF flow while bulk TCP fills the uplink (added
# p99, loss), and the shares two TCP streams in classes guaranteed 70 % and 30 % get. Fails when
# the shaped run misses the targets (added p99 < 5 ms, no EF loss, shares within 10 %).
# Needs root, /dev/net/tun and tc; namespaces are named pq-*. BENCH_SECONDS sets each phase's
# length (default 15).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ] || [ ! -c /dev/net/tun ]; then
  echo "bench/shaping.sh: needs root and /dev/net/tun" >&2
  exit 1
fi
. scripts/lib.sh
apt_install iperf3 iproute2
echo "== $(date -u +%FT%TZ) $(nproc) cores, $(uname -r), $(git rev-parse --short HEAD 2>/dev/null || echo '?'), load $(cut -d' ' -f1-3 /proc/loadavg)"
cargo test --release --locked -p patronus-agent --lib shaping_bench -- --ignored --nocapture --test-threads 1 2>&1 \
  | grep -E '^(BENCH|skipped|test result|thread|  left|assertion)'

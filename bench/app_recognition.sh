#!/usr/bin/env bash
# Application recognition's cost on the tunnel (issue 17): two sites in network namespaces joined
# through a router namespace, each running the userspace WireGuard dataplane (release build); one
# TCP stream (iperf3) through the tunnel with recognition on and off at both sites, in
# BENCH_ROUNDS (default 3) rounds of alternating order, with no policies and then with an
# application policy ahead of 100 policies. Throughput and CPU seconds per gigabit, per round.
# Needs root and /dev/net/tun. BENCH_SECONDS sets the length of each run (default 10).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ] || [ ! -c /dev/net/tun ]; then
  echo "bench/app_recognition.sh: needs root and /dev/net/tun" >&2
  exit 1
fi
. scripts/lib.sh
install_agent_deps
apt_install iperf3 iputils-ping iproute2
echo "== $(date -u +%FT%TZ) $(nproc) cores, $(uname -r), $(git rev-parse --short HEAD 2>/dev/null || echo '?'), load $(cut -d' ' -f1-3 /proc/loadavg)"
cargo test --release --locked -p patronus-agent --lib app_recognition_bench -- --ignored --nocapture --test-threads 1 2>&1 \
  | grep -E '^(BENCH|skipped|test result)'

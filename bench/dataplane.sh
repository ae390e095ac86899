#!/usr/bin/env bash
# Dataplane benchmark: two sites in network namespaces joined through a router namespace, each
# running the userspace WireGuard dataplane (release build), iperf3 and ping between them.
# Measures, in one run: the plain veth path (the ceiling), the tunnel with one and four TCP
# streams, UDP packets per second at 1,400-byte packets, the ping RTT the tunnel adds, and CPU
# seconds per gigabit, and the one-stream run with 100 policies against none in BENCH_POLICY_ROUNDS
# (default 4) rounds of alternating order. Needs root and /dev/net/tun. BENCH_SECONDS sets the
# length of each run;
# BENCH_PERF=/tmp/dp.perf also samples the machine with perf during the one-stream run.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ] || [ ! -c /dev/net/tun ]; then
  echo "bench/dataplane.sh: needs root and /dev/net/tun" >&2
  exit 1
fi
. scripts/lib.sh
install_agent_deps
apt_install iperf3 iputils-ping iproute2
echo "== $(date -u +%FT%TZ) $(nproc) cores, $(uname -r), $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
cargo test --release --locked -p patronus-agent --lib dataplane_bench -- --ignored --nocapture --test-threads 1 2>&1 \
  | grep -E '^(BENCH|skipped|test result)'
if [ -n "${BENCH_PERF:-}" ] && [ -f "$BENCH_PERF" ]; then
  echo "== where the CPU went during the one-stream run (perf, whole machine, by command and symbol)"
  perf report -i "$BENCH_PERF" --stdio --no-children --sort comm,sym --percent-limit 1.5 2>/dev/null \
    | grep -E '^ +[0-9]' | head -40
  echo "== by command"
  perf report -i "$BENCH_PERF" --stdio --no-children --sort comm 2>/dev/null | grep -E '^ +[0-9]' | head -12
fi

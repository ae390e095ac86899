#!/usr/bin/env bash
# API latency under a steady load from a second process.
#
# Starts the release server with its private PostgreSQL in a throw-away directory, creates a
# tenant with SITES sites through the API, then has vegeta send RATE requests/s for DURATION to
# GET /v1/sites/{id} and to GET /v1/sites?limit=100, and prints p50/p99/max and the status codes.
# The per-token rate limit is raised for the run (the load comes from one token).
#
#   bench/api_load.sh                 # SITES=1000 RATE=1000 DURATION=30s WARMUP=10s
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
SITES=${SITES:-1000} RATE=${RATE:-1000} DURATION=${DURATION:-30s}

install_server_deps
apt_install curl jq bc procps
command -v go >/dev/null || { echo "go is needed for vegeta" >&2; exit 1; }
gobin=$(mktemp -d)
GOBIN=$gobin go install github.com/tsenart/vegeta/v12@v12.12.0
cargo build --release --locked -q -p patronus-server

work=$(mktemp -d "${TMPDIR:-/tmp}/patronus-bench.XXXXXX")
chmod 0755 "$work"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
PATRONUS_RATE_LIMIT_PER_SECOND=100000 PATRONUS_RATE_LIMIT_BURST=100000 RUST_LOG=warn \
  target/release/patronus-server --listen "127.0.0.1:$port" --data-dir "$work/data" > "$work/server.out" 2> "$work/server.err" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work" "$gobin"' EXIT
for _ in $(seq 100); do grep -q 'ptrn_plat_' "$work/server.out" 2>/dev/null && break; sleep 0.2; done
url="http://127.0.0.1:$port"
platform=$(grep -o 'ptrn_plat_[A-Za-z0-9]*' "$work/server.out")
api() { curl -sf -H "Authorization: Bearer $1" -H 'Content-Type: application/json' "${@:2}"; }

tenant=$(api "$platform" -X POST "$url/v1/tenants" -d '{"name": "bench", "slug": "bench", "quotas": {"max_users": 10, "max_api_tokens": 10, "max_sites": 100000}}' | jq -r .id)
token=$(api "$platform" -X POST "$url/v1/tenants/$tenant/api-tokens" -d '{"name": "bench", "role": "admin"}' | jq -r .token)
echo "creating $SITES sites..." >&2
started=$(date +%s.%N)
for i in $(seq "$SITES"); do
  api "$token" -X POST "$url/v1/sites" -d "{\"name\": \"site-$i\", \"lan_prefixes\": [\"10.$((i / 256)).$((i % 256)).0/24\"]}" > /dev/null
done
create_s=$(echo "$(date +%s.%N) - $started" | bc)
site=$(api "$token" "$url/v1/sites?name=site-500" | jq -r '.items[0].id // empty')
[ -n "$site" ] || site=$(api "$token" "$url/v1/sites?limit=1" | jq -r '.items[0].id')

echo "conditions: $(nproc) cores, release build, private PostgreSQL 15, $SITES sites, load generator on the same machine"
echo "creating $SITES sites one after another: ${create_s}s ($(echo "scale=2; $create_s * 1000 / $SITES" | bc) ms per site)"
for target in "/v1/sites/$site" "/v1/sites?limit=100"; do
  printf 'GET %s%s\nAuthorization: Bearer %s\n' "$url" "$target" "$token" > "$work/target"
  # Warm-up at the same rate, not measured: the pool opens its connections (each a PostgreSQL
  # backend and a SCRAM handshake) and autovacuum settles after the inserts.
  "$gobin/vegeta" attack -targets "$work/target" -rate "$RATE" -duration "${WARMUP:-10s}" -max-workers 256 > /dev/null
  before=$(server_and_pg_cpu "$server" "$work/data")
  "$gobin/vegeta" attack -targets "$work/target" -rate "$RATE" -duration "$DURATION" -max-workers 256 > "$work/results.bin"
  after=$(server_and_pg_cpu "$server" "$work/data")
  echo "== GET $target at $RATE req/s for $DURATION (after ${WARMUP:-10s} of warm-up)"
  "$gobin/vegeta" report -type text < "$work/results.bin" | grep -E 'Requests|Latencies|Success|Status Codes'
  "$gobin/vegeta" report -type json < "$work/results.bin" | jq -r '"p50 \(.latencies["50th"] / 1e6) ms, p99 \(.latencies["99th"] / 1e6) ms, max \(.latencies.max / 1e6) ms"'
  n=$("$gobin/vegeta" report -type json < "$work/results.bin" | jq -r .requests)
  python3 -c "b = list(map(float, '$before'.split())); a = list(map(float, '$after'.split())); print(f'CPU per request: server {(a[0] - b[0]) / $n * 1000:.3f} ms, PostgreSQL {(a[1] - b[1]) / $n * 1000:.3f} ms')"
done

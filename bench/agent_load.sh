#!/usr/bin/env bash
# Config fan-out to parked agents: the load generator in bench/agent-load against release servers.
#
# Scenarios (each on a fresh private PostgreSQL and tenant):
#   mesh      AGENTS_MESH agents (default 1000), full mesh, one server
#   hubspoke  AGENTS_HUB agents (default 10000), hub-and-spoke with 4 hubs, one server
#   replicas  AGENTS_HUB agents, hub-and-spoke, two servers sharing PostgreSQL and Redis; agents
#             split between them, the write made on the first
#   learned   AGENTS_LEARNED agents (default 100), full mesh, one server: the first site's agent
#             reports LEARNED_ROUTES (default 1000) BGP prefixes, which every other document takes
#             as its allowed IPs (the fan-out timed); then 20 identical reports (no-ops) and 20
#             cycles of withdrawing and announcing the whole table, timed one by one
#   writes    AGENTS_HUB sites, hub-and-spoke, one server: the time to create them (each with its
#             link, one request) and enroll their agents, then WRITE_SAMPLES (default 200) site
#             creates and as many link updates of enrolled sites, timed one by one; no fan-out
#
#   bench/agent_load.sh [mesh|hubspoke|replicas|learned|writes ...]     # the first three by default
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
AGENTS_MESH=${AGENTS_MESH:-1000} AGENTS_HUB=${AGENTS_HUB:-10000} WRITE_SAMPLES=${WRITE_SAMPLES:-200}
AGENTS_LEARNED=${AGENTS_LEARNED:-100} LEARNED_ROUTES=${LEARNED_ROUTES:-1000}
scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(mesh hubspoke replicas)

install_server_deps
apt_install curl jq redis-server
cargo build --release --locked -q -p patronus-server -p patronus-agent-load
bin=${CARGO_TARGET_DIR:-target}/release
# Every parked agent is a socket in the load generator and in a server: raise the soft limit to
# the hard one (20,000 on the machines this was measured on, enough for 10,000 agents).
ulimit -n "$(ulimit -Hn)"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
api() { curl -sf -H "Authorization: Bearer $1" -H 'Content-Type: application/json' "${@:2}"; }

run() {
  local scenario=$1 agents topology replicas=1 extra=()
  case $scenario in
    writes) agents=$AGENTS_HUB topology=hub_and_spoke extra=(--write-samples "$WRITE_SAMPLES" --no-fanout) ;;
    mesh) agents=$AGENTS_MESH topology=full_mesh ;;
    learned) agents=$AGENTS_LEARNED topology=full_mesh extra=(--learned-routes "$LEARNED_ROUTES") ;;
    hubspoke) agents=$AGENTS_HUB topology=hub_and_spoke ;;
    replicas) agents=$AGENTS_HUB topology=hub_and_spoke replicas=2 ;;
    *) echo "unknown scenario $scenario" >&2; exit 2 ;;
  esac
  local work; work=$(mktemp -d "${TMPDIR:-/tmp}/patronus-agent-load.XXXXXX")
  chmod 0755 "$work"
  pids=()
  cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
    stop_test_redis "$work"; stop_test_postgres "$work/pg"; rm -rf "$work"
  }
  trap cleanup RETURN
  start_test_postgres "$work/pg"
  unset REDIS_URL
  [ "$replicas" -gt 1 ] && start_test_redis "$work"
  local urls=() p port
  for i in $(seq "$replicas"); do
    port=$(free_port)
    PATRONUS_RATE_LIMIT_PER_SECOND=1000000 PATRONUS_RATE_LIMIT_BURST=1000000 PATRONUS_DB_MAX_CONNECTIONS=40 RUST_LOG=warn \
      "$bin"/patronus-server --listen "127.0.0.1:$port" > "$work/server$i.out" 2> "$work/server$i.err" &
    pids+=($!)
    urls+=("http://127.0.0.1:$port")
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
  done
  local platform tenant token
  platform=$("$bin"/patronus-server create-platform-token --name "bench-$scenario" | grep -o 'ptrn_plat_[A-Za-z0-9]*')
  tenant=$(api "$platform" -X POST "${urls[0]}/v1/tenants" -d '{"name": "load", "slug": "load", "quotas": {"max_users": 10, "max_api_tokens": 10, "max_sites": 100000}}' | jq -r .id)
  token=$(api "$platform" -X POST "${urls[0]}/v1/tenants/$tenant/api-tokens" -d '{"name": "load", "role": "admin"}' | jq -r .token)
  echo "== $scenario at $(git rev-parse --short HEAD), load average $(cut -d" " -f1-3 /proc/loadavg)$(git diff --quiet HEAD -- server sdk migrations bench || echo '+changes'): $agents agents, $topology, $replicas server(s); $(nproc) cores, release build, load generator on the same machine"
  PATRONUS_TOKEN=$token "$bin"/patronus-agent-load --server "$(IFS=,; echo "${urls[*]}")" \
    --pid "$(IFS=,; echo "${pids[*]}")" --agents "$agents" --topology "$topology" "${extra[@]}"
}

for s in "${scenarios[@]}"; do run "$s"; done

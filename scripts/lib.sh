# Shared by scripts/run and scripts/test: installing system packages, and starting throw-away
# PostgreSQL and Redis servers for the test suite. Source it; do not run it.

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_updated=0
# apt_install PACKAGE...: installs the Debian packages that are not installed yet.
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing Debian packages: ${missing[*]}" >&2
  # Suites that run side by side may install at the same time; apt-get refuses a held lock, so
  # they take turns.
  local lock=/var/lib/apt/patronus-apt.lock
  if [ "$apt_updated" -eq 0 ]; then
    as_root flock "$lock" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    apt_updated=1
  fi
  as_root flock "$lock" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Packages the server needs to build and run (PostgreSQL binaries for its private database).
install_server_deps() {
  apt_install ca-certificates build-essential pkg-config postgresql
  command -v cargo >/dev/null || { echo "cargo is missing: install Rust (rustup) first" >&2; exit 1; }
}

# What the agent needs to build: clang and the BPF headers (libbpf-dev) for its XDP guard
# (agent/build.rs compiles agent/bpf/guard.c for the bpf target), llvm and bpftool to inspect it.
install_agent_deps() {
  apt_install clang llvm libbpf-dev linux-libc-dev bpftool
}

# build_portal: the web portal (web/) with its pinned toolchain (web/package-lock.json) into
# web/dist, which the server serves at / (PATRONUS_WEB_DIR). Needs Node.js 20.19 or later (Vite 7);
# Debian's nodejs package is older, so Node is not installed here.
build_portal() {
  command -v node >/dev/null && command -v npm >/dev/null || {
    echo "Node.js 20.19 or later (with npm) is needed to build the web portal (web/)" >&2
    exit 1
  }
  node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' || {
    echo "Node.js $(node --version) is too old to build the web portal: 20.19 or later is needed" >&2
    exit 1
  }
  (cd web && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent)
}

pg_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

# Runs a command as the user PostgreSQL will run as (it refuses root).
as_pg_user() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# start_test_postgres DIR: a private cluster in DIR, Unix socket only, tuned for tests
# (no fsync: the data is thrown away). Exports DATABASE_URL for its superuser `patronus`.
start_test_postgres() {
  local dir=$1 bin
  bin=$(pg_bin)
  mkdir -p "$dir/run"
  chmod 0700 "$dir/run"
  [ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$dir"
  as_pg_user "$bin/initdb" -U patronus -A trust -E UTF8 --no-instructions -D "$dir/pgdata" >/dev/null
  pg_ctl_start "$dir"
  export DATABASE_URL="postgres://patronus@localhost/postgres?host=$dir/run"
}

# pg_ctl_start DIR: (re)starts the cluster start_test_postgres made in DIR.
pg_ctl_start() {
  local dir=$1
  as_pg_user "$(pg_bin)/pg_ctl" start -w -D "$dir/pgdata" -l "$dir/postgres.log" \
    -o "-c listen_addresses='' -k $dir/run -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" >/dev/null
}

stop_test_postgres() {
  local dir=$1
  [ -d "$dir/pgdata" ] && as_pg_user "$(pg_bin)/pg_ctl" stop -w -m fast -D "$dir/pgdata" >/dev/null 2>&1 || true
}

# start_test_redis DIR [PORT]: Redis on PORT or a free loopback port; exports REDIS_URL.
start_test_redis() {
  local dir=$1 port=${2:-}
  [ -n "$port" ] || port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no --daemonize yes \
    --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --dir "$dir"
  for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  export REDIS_URL="redis://127.0.0.1:$port"
}

stop_test_redis() {
  local dir=$1
  [ -f "$dir/redis.pid" ] && kill "$(cat "$dir/redis.pid")" 2>/dev/null || true
}

# server_and_pg_cpu SERVER_PID DATA_DIR: CPU seconds used so far by a patronus-server and by its
# private PostgreSQL in DATA_DIR, printed as "SERVER POSTGRES". PostgreSQL counts the postmaster,
# its live backends, and the backends that have ended (through the postmaster's children times).
server_and_pg_cpu() {
  local postmaster
  postmaster=$(pgrep -f -- "-D $2/pgdata" | head -n 1)
  python3 - "$1" "$postmaster" $(pgrep -P "$postmaster" | tr '\n' ' ') <<'PY'
import os, sys
tick = os.sysconf("SC_CLK_TCK")
def times(pid):  # utime stime cutime cstime
    try:
        return [int(x) for x in open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[11:15]]
    except OSError:
        return [0, 0, 0, 0]
server = sum(times(sys.argv[1])[:2])
pg = sum(times(sys.argv[2])) + sum(sum(times(p)[:2]) for p in sys.argv[3:])
print(f"{server / tick:.2f} {pg / tick:.2f}")
PY
}

# --- a live patronus-server for the suites that test against one (SDKs, schemathesis) ----------

# psql_cmd URL ARG...: psql on URL, quiet, unaligned, stopping at the first error.
psql_cmd() {
  local psql
  psql=$(command -v psql || echo "$(pg_bin)/psql")
  "$psql" -v ON_ERROR_STOP=1 -qAt -d "$@"
}

# create_test_database WORK PREFIX: a fresh database named PREFIX_<time>_<pid>, in the cluster
# DATABASE_URL points at (an owner role that may create databases) or, when it is unset, in a
# throw-away cluster started in WORK/pg. Exports DATABASE_URL for it and unsets DATABASE_APP_URL
# and REDIS_URL, so that servers started on it share nothing with another suite's.
# drop_test_database WORK undoes it; call it from the caller's EXIT trap.
create_test_database() {
  local work=$1 prefix=$2
  test_db_own_pg=0
  if [ -z "${DATABASE_URL:-}" ]; then
    start_test_postgres "$work/pg"
    test_db_own_pg=1
  fi
  test_db_admin_url=$DATABASE_URL
  test_db_name="${prefix}_$(date +%s)_$$"
  psql_cmd "$test_db_admin_url" -c "CREATE DATABASE \"$test_db_name\""
  DATABASE_URL=$(python3 - "$test_db_admin_url" "$test_db_name" <<'PY'
import sys, urllib.parse as u
url = u.urlsplit(sys.argv[1])
print(u.urlunsplit(url._replace(path="/" + sys.argv[2])))
PY
)
  export DATABASE_URL
  unset DATABASE_APP_URL REDIS_URL
}

drop_test_database() {
  local work=$1
  if [ -n "${test_db_name:-}" ] && [ "${test_db_own_pg:-0}" -eq 0 ] && [ -n "${test_db_admin_url:-}" ]; then
    psql_cmd "$test_db_admin_url" -c "DROP DATABASE IF EXISTS \"$test_db_name\" WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  if [ "${test_db_own_pg:-0}" -eq 1 ]; then stop_test_postgres "$work/pg"; fi
  return 0
}

test_server_pids=()
# start_test_server LOG BIN [ENV=VALUE...]: runs `BIN serve` on a free loopback port, output in
# LOG, and waits until it is ready; sets server_url. Exits, showing LOG, when it does not start.
# stop_test_servers stops every server started so.
start_test_server() {
  local log=$1 bin=$2 pid
  shift 2
  env RUST_LOG="${RUST_LOG:-warn}" PATRONUS_LISTEN=127.0.0.1:0 "$@" "$bin" serve >"$log" 2>&1 &
  pid=$!
  test_server_pids+=("$pid")
  server_url=""
  for _ in $(seq 300); do
    server_url=$(grep -o 'listening on http://[0-9.:]*' "$log" | head -n 1 | sed 's/^listening on //' || true)
    if [ -n "$server_url" ] && curl -fsS "$server_url/readyz" >/dev/null 2>&1; then
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "the server ($bin) did not start:" >&2
  cat "$log" >&2
  exit 1
}

stop_test_servers() {
  local pid
  for pid in "${test_server_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${test_server_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  test_server_pids=()
}

# platform_token_of LOG: the platform-admin token a server printed on its first start.
platform_token_of() {
  local token
  token=$(grep -o 'ptrn_plat_[A-Za-z0-9_-]*' "$1" | head -n 1)
  [ -n "$token" ] || { echo "the server printed no platform token:" >&2; cat "$1" >&2; exit 1; }
  echo "$token"
}

# test_api URL METHOD PATH TOKEN [BODY]: JSON out; fails on an error status.
test_api() {
  curl -fsS -X "$2" "$1$3" -H "Authorization: Bearer $4" -H 'Content-Type: application/json' ${5:+-d "$5"}
}

json_field() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

# tenant_admin_token URL PLATFORM_TOKEN SLUG: creates a tenant with that name and slug, and prints
# a new admin API token of it.
tenant_admin_token() {
  local url=$1 platform=$2 slug=$3 tenant
  tenant=$(test_api "$url" POST /v1/tenants "$platform" "{\"name\": \"$slug\", \"slug\": \"$slug\"}" | json_field id)
  test_api "$url" POST "/v1/tenants/$tenant/api-tokens" "$platform" '{"name": "tests", "role": "admin"}' | json_field token
}

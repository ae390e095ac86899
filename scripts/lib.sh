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
  if [ "$apt_updated" -eq 0 ]; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    apt_updated=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Packages the server needs to build and run (PostgreSQL binaries for its private database).
install_server_deps() {
  apt_install ca-certificates build-essential pkg-config postgresql
  command -v cargo >/dev/null || { echo "cargo is missing: install Rust (rustup) first" >&2; exit 1; }
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
  as_pg_user "$bin/pg_ctl" start -w -D "$dir/pgdata" -l "$dir/postgres.log" \
    -o "-c listen_addresses='' -k $dir/run -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" >/dev/null
  export DATABASE_URL="postgres://patronus@localhost/postgres?host=$dir/run"
}

stop_test_postgres() {
  local dir=$1
  [ -d "$dir/pgdata" ] && as_pg_user "$(pg_bin)/pg_ctl" stop -w -m fast -D "$dir/pgdata" >/dev/null 2>&1 || true
}

# start_test_redis DIR: Redis on a free loopback port; exports REDIS_URL.
start_test_redis() {
  local dir=$1 port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
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

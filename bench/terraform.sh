#!/usr/bin/env bash
# terraform apply of SITES sites with two links each (3 * SITES resources) at Terraform's default
# parallelism (10), against one release patronus-server with its private PostgreSQL on this
# machine; then a plan over that state (which must show no change), then destroy. Prints the time
# of each, the 429s the server answered, and the conditions.
#
#   bench/terraform.sh                 # SITES=1000; DESTROY=0 skips the destroy
#
# bench/terraform_floor.sh measures what Terraform alone takes for as many resources.
#
# Terraform: `terraform` (or `tofu`) on PATH, or TERRAFORM=/path/to/binary. Default rate limits
# (500/s, burst 1000), as a user would have them. PATRONUS_SERVER_BIN runs another server build.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
SITES=${SITES:-1000}

install_server_deps
apt_install curl python3 time procps
command -v go >/dev/null || { echo "go is needed to build the provider" >&2; exit 1; }
tf=${TERRAFORM:-$(command -v terraform || command -v tofu || true)}
[ -n "$tf" ] || { echo "no terraform or tofu on PATH (or set TERRAFORM)" >&2; exit 1; }
if [ -n "${PATRONUS_SERVER_BIN:-}" ]; then
  server_bin=$PATRONUS_SERVER_BIN # e.g. a debug build, to try the script
else
  cargo build --release --locked -q -p patronus-server
  server_bin="${CARGO_TARGET_DIR:-target}/release/patronus-server"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/patronus-tfbench.XXXXXX")
chmod 0755 "$work"
(cd terraform-provider && GOFLAGS=-mod=readonly go build -o "$work/bin/terraform-provider-patronus" .)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
RUST_LOG=warn PATRONUS_LISTEN="127.0.0.1:$port" PATRONUS_DATA_DIR="$work/data" "$server_bin" serve >"$work/server.out" 2>"$work/server.err" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 300); do grep -q 'ptrn_plat_' "$work/server.out" 2>/dev/null && break; sleep 0.2; done
url="http://127.0.0.1:$port"
platform=$(grep -o 'ptrn_plat_[A-Za-z0-9_-]*' "$work/server.out" | head -n 1)
api() { curl -sf -H "Authorization: Bearer $1" -H 'Content-Type: application/json' "${@:2}"; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
tenant=$(api "$platform" -X POST "$url/v1/tenants" -d "{\"name\": \"tfbench\", \"slug\": \"tfbench\", \"quotas\": {\"max_users\": 10, \"max_api_tokens\": 10, \"max_sites\": $((SITES + 10))}}" | json 'd["id"]')
token=$(api "$platform" -X POST "$url/v1/tenants/$tenant/api-tokens" -d '{"name": "terraform", "role": "admin"}' | json 'd["token"]')

# 429s counted from the server's own metrics, all routes.
count_429() {
  curl -sf "$url/metrics" | python3 -c '
import re, sys
print(int(sum(float(l.rsplit(" ", 1)[1]) for l in sys.stdin
              if l.startswith("http_requests_total") and re.search(r"status=\"429\"", l))))'
}
requests_total() {
  curl -sf "$url/metrics" | python3 -c '
import sys
print(int(sum(float(l.rsplit(" ", 1)[1]) for l in sys.stdin if l.startswith("http_requests_total"))))'
}

# snapshot NAME: the server's metrics now; breakdown A B: requests, mean and total server time per
# route between two snapshots (where the time goes: in the server, or in Terraform and the provider).
snapshot() { curl -sf "$url/metrics" >"$work/metrics.$1"; }
breakdown() {
  python3 - "$work/metrics.$1" "$work/metrics.$2" <<'PY'
import re, sys
def load(path):
    out = {}
    for line in open(path):
        m = re.match(r'http_request_duration_seconds_(sum|count)\{(.*)\} (\S+)', line)
        if m:
            labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(2)))
            key = (labels["method"], labels["route"])
            out.setdefault(key, {"sum": 0.0, "count": 0.0})[m.group(1)] += float(m.group(3))
    return out
a, b = load(sys.argv[1]), load(sys.argv[2])
for key in sorted(b):
    n = b[key]["count"] - a.get(key, {}).get("count", 0)
    t = b[key]["sum"] - a.get(key, {}).get("sum", 0)
    if n:
        print(f"    {key[0]:6} {key[1]:32} {int(n):6} requests, mean {t / n * 1000:7.2f} ms, total {t:6.1f} s in the server")
PY
}

# server_cpu: CPU seconds used so far by the server and its PostgreSQL together.
server_cpu() { server_and_pg_cpu "$server" "$work/data" | awk '{printf "%.2f\n", $1 + $2}'; }
# cpu_split TIME_FILE S0 S1: Terraform's CPU (with its provider) from /usr/bin/time's output, and
# the server's between the two server_cpu readings.
cpu_split() {
  python3 -c "u, s = map(float, open('$1').read().split()[-2:]); print(f'Terraform and provider {u + s:.1f} s, server and PostgreSQL {$3 - $2:.1f} s')"
}

cat >"$work/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "patronus-sdwan/patronus" = "$work/bin"
  }
  direct {}
}
RC
cp bench/terraform/main.tf "$work/main.tf"
cd "$work"
export TF_CLI_CONFIG_FILE=$work/terraformrc PATRONUS_URL=$url PATRONUS_TOKEN=$token CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
export TF_VAR_sites=$SITES

run() { # run NAME COMMAND...: time a Terraform command; prints seconds. $work/NAME.cpu gets the
  # CPU seconds of Terraform with its provider, and of the server with its PostgreSQL, meanwhile.
  local name=$1 t0 t1 s0 s1
  shift
  s0=$(server_cpu)
  t0=$(date +%s.%N)
  /usr/bin/time -o "$work/$name.time" -f '%U %S' "$@" >"$work/$name.log" 2>&1 ||
    { tail -n 40 "$work/$name.log" >&2; echo "$name failed" >&2; exit 1; }
  t1=$(date +%s.%N)
  s1=$(server_cpu)
  cpu_split "$work/$name.time" "$s0" "$s1" >"$work/$name.cpu"
  python3 -c "print(f'{$t1 - $t0:.1f}')"
}

echo "conditions: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, commit $(git -C "$OLDPWD" rev-parse --short HEAD)$(git -C "$OLDPWD" diff --quiet HEAD -- server terraform-provider sdk/go || echo '+dirty'), $(basename "$(dirname "$server_bin")") server, private PostgreSQL, default rate limits, $("$tf" version | head -n 1), parallelism 10 (default), $SITES sites x 2 links = $((SITES * 3)) resources"
r0=$(requests_total)
snapshot start
apply_s=$(run apply "$tf" apply -auto-approve -input=false -no-color)
r1=$(requests_total)
after_apply_429=$(count_429)
n=$("$tf" state list | wc -l)
snapshot applied
# verdict SECONDS LIMIT: "met" or "NOT met" against a target in seconds.
verdict() { python3 -c "print('met' if $1 < $2 else 'NOT met')"; }
echo "apply: ${apply_s}s for $n resources, $((r1 - r0)) requests, 429s: $after_apply_429 (target: under 60 s with no 429: $( [ "$after_apply_429" -eq 0 ] && verdict "$apply_s" 60 || echo 'NOT met'))"
echo "    CPU: $(cat "$work/apply.cpu"); state file $(($(stat -c %s terraform.tfstate) / 1024)) KiB"
breakdown start applied
rc=0
s0=$(server_cpu)
t0=$(date +%s.%N)
/usr/bin/time -o "$work/plan.time" -f '%U %S' "$tf" plan -detailed-exitcode -input=false -no-color >"$work/plan.log" 2>&1 || rc=$?
t1=$(date +%s.%N)
s1=$(server_cpu)
r2=$(requests_total)
[ "$rc" -eq 0 ] || { tail -n 40 "$work/plan.log" >&2; echo "the plan after apply is not empty (exit $rc)" >&2; exit 1; }
snapshot planned
plan_s=$(python3 -c "print(f'{$t1 - $t0:.1f}')")
echo "plan with no changes: ${plan_s}s, $((r2 - r1)) requests, 429s: $(( $(count_429) - after_apply_429 )) (target: under 15 s: $(verdict "$plan_s" 15))"
echo "    CPU: $(cpu_split "$work/plan.time" "$s0" "$s1")"
breakdown applied planned
[ "${DESTROY:-1}" = 1 ] || exit 0
destroy_s=$(run destroy "$tf" destroy -auto-approve -input=false -no-color)
echo "destroy: ${destroy_s}s, 429s in all: $(count_429)"

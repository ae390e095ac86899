#!/usr/bin/env bash
# terraform apply of SITES sites with two links each at Terraform's default parallelism (10),
# against one release patronus-server with its private PostgreSQL on this machine; then a plan
# over that state (which must show no change), then destroy. Prints the time of each, the 429s the
# server answered, the CPU of Terraform, of the provider and of the server with PostgreSQL, where
# the server's time went, and the conditions.
#
#   bench/terraform.sh                 # SITES=1000; DESTROY=0 skips the destroy
#   SHAPE=inline bench/terraform.sh    # the links inline in the site (one resource per site)
#
# Shapes: `separate` (the default; bench/terraform/main.tf) is SITES patronus_site and 2 * SITES
# patronus_link, each link depending on its site; `inline` (bench/terraform/inline.tf) is SITES
# patronus_site with the same two links in `links`, a map keyed by link name.
#
# Then, unless FLOOR=0, it runs bench/terraform_floor.sh on the matching shape (`tiny` for
# `separate`, `inline` for `inline`): Terraform alone on as many built-in terraform_data resources,
# the floor no provider can beat; and prints how much longer the Patronus run took than the floor.
#
# Terraform: `terraform` (or `tofu`) on PATH, or TERRAFORM=/path/to/binary. Default rate limits
# (500/s, burst 1000), as a user would have them. PATRONUS_SERVER_BIN runs another server build
# (PATRONUS_SERVER_COMMIT says, in the conditions, which commit it was built from).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
SITES=${SITES:-1000} SHAPE=${SHAPE:-separate}
case $SHAPE in
  separate) config=bench/terraform/main.tf floor_shape=tiny resources=$((SITES * 3)) plan_target=15
    shape_text="$SITES sites x 2 links = $((SITES * 3)) resources" ;;
  inline) config=bench/terraform/inline.tf floor_shape=inline resources=$SITES plan_target=10
    shape_text="$SITES sites with 2 inline links each = $SITES resources" ;;
  *) echo "SHAPE must be separate or inline" >&2; exit 1 ;;
esac

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
(cd terraform-provider && GOFLAGS=-mod=readonly go build -o "$work/provider/terraform-provider-patronus" .)
# What Terraform starts is a wrapper that records the CPU of each provider process it runs.
mkdir -p "$work/bin"
cat >"$work/bin/terraform-provider-patronus" <<WRAPPER
#!/bin/sh
exec /usr/bin/time -a -o "$work/provider.cpu" -f 'cpu %U %S' "$work/provider/terraform-provider-patronus" "\$@"
WRAPPER
chmod +x "$work/bin/terraform-provider-patronus"
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
# cpu_split TIME_FILE S0 S1: the CPU of Terraform itself and of its provider processes (from
# /usr/bin/time's outputs: Terraform's own counts the providers it waited for), and the server's
# between the two server_cpu readings. provider.cpu is emptied for the next command.
cpu_split() {
  python3 - "$1" "$work/provider.cpu" "$2" "$3" <<'PY'
import sys
u, s = map(float, open(sys.argv[1]).read().split()[-2:])
provider = 0.0
try:
    for line in open(sys.argv[2]):
        if line.startswith("cpu "):
            provider += sum(map(float, line.split()[1:3]))
except FileNotFoundError:
    pass
print(f"Terraform {u + s - provider:.1f} s, provider {provider:.1f} s, server and PostgreSQL {float(sys.argv[4]) - float(sys.argv[3]):.1f} s")
PY
  : >"$work/provider.cpu"
}

cat >"$work/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "patronus-sdwan/patronus" = "$work/bin"
  }
  direct {}
}
RC
cp "$config" "$work/main.tf"
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

echo "conditions: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, load average $(cut -d ' ' -f 1-3 /proc/loadavg), commit $(git -C "$OLDPWD" rev-parse --short HEAD)$(git -C "$OLDPWD" diff --quiet HEAD -- server terraform-provider sdk/go || echo '+dirty'), $(basename "$(dirname "$server_bin")") server${PATRONUS_SERVER_COMMIT:+ built from $PATRONUS_SERVER_COMMIT}, private PostgreSQL, default rate limits, $("$tf" version | sed -n 1p), parallelism 10 (default), SHAPE=$SHAPE: $shape_text"
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
echo "plan with no changes: ${plan_s}s, $((r2 - r1)) requests, 429s: $(( $(count_429) - after_apply_429 )) (target: under $plan_target s: $(verdict "$plan_s" "$plan_target"))"
echo "    CPU: $(cpu_split "$work/plan.time" "$s0" "$s1")"
breakdown applied planned
if [ "${DESTROY:-1}" = 1 ]; then
  destroy_s=$(run destroy "$tf" destroy -auto-approve -input=false -no-color)
  echo "destroy: ${destroy_s}s, 429s in all: $(count_429)"
fi
[ "${FLOOR:-1}" = 1 ] || exit 0
kill $server 2>/dev/null; wait $server 2>/dev/null || true
floor=$(cd "$OLDPWD" && SITES=$SITES SHAPES=$floor_shape TERRAFORM=$tf bench/terraform_floor.sh | tail -n 1)
echo "floor, right after: $floor"
# overhead: how much longer than Terraform alone, in percent of Terraform alone.
python3 - "$apply_s" "$plan_s" "$floor" <<'PY'
import re, sys
apply_s, plan_s, floor = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
fa = float(re.search(r"apply ([0-9.]+) s", floor).group(1))
fp = float(re.search(r"plan with no changes ([0-9.]+) s", floor).group(1))
print(f"over the floor: apply +{apply_s - fa:.1f} s ({(apply_s - fa) / fa * 100:+.0f} %), "
      f"plan +{plan_s - fp:.1f} s ({(plan_s - fp) / fp * 100:+.0f} %) (target: under 25 %)")
PY

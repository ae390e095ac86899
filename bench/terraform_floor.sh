#!/usr/bin/env bash
# Terraform's own floor for bench/terraform.sh: apply and plan of as many resources as it makes,
# of the built-in terraform_data, with local state, at the default parallelism. No provider, no
# server, no network: whatever this takes, no provider can take less.
#
#   bench/terraform_floor.sh              # SITES=1000, SHAPES="tiny site independent inline"
#
# Shapes (bench/terraform-floor/SHAPE.tf): for bench/terraform.sh's default shape (SITES sites and
# 2 * SITES patronus_link, 3 * SITES resources), `tiny` stores a number per resource (the links
# still depend on their site, as in bench/terraform/main.tf); `site` stores about what the
# Patronus resources store (terraform_data keeps it twice, as input and output, so its state is
# the larger); `independent` is `tiny` without the dependencies. For SHAPE=inline (SITES
# patronus_site with two inline links each, SITES resources), `inline` stores, once, what such a
# site stores: its fields and a map of two link objects keyed by link name.
#
# Each line gives wall-clock seconds and the CPU seconds of Terraform (user + system).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
apt_install python3 time
SITES=${SITES:-1000} SHAPES=${SHAPES:-tiny site independent inline}
tf=${TERRAFORM:-$(command -v terraform || command -v tofu || true)}
[ -n "$tf" ] || { echo "no terraform or tofu on PATH (or set TERRAFORM)" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/patronus-tffloor.XXXXXX")
trap 'rm -rf "$work"' EXIT
touch "$work/terraformrc"
export TF_CLI_CONFIG_FILE=$work/terraformrc CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_VAR_sites=$SITES

echo "conditions: $(nproc) cores, load average $(cut -d ' ' -f 1-3 /proc/loadavg), $("$tf" version | sed -n 1p), local state, parallelism 10 (default), SITES=$SITES"
seconds() { python3 -c "print(f'{$2 - $1:.1f}')"; }
cpu() { python3 -c "u, s = map(float, open('$1').read().split()[-2:]); print(f'{u + s:.1f}')"; }
for shape in $SHAPES; do
  dir=$work/$shape
  mkdir -p "$dir" && cp "bench/terraform-floor/$shape.tf" "$dir/main.tf"
  (
    cd "$dir"
    "$tf" init -input=false -no-color >/dev/null
    t0=$(date +%s.%N)
    /usr/bin/time -o apply.time -f '%U %S' "$tf" apply -auto-approve -input=false -no-color >apply.log 2>&1 ||
      { tail -n 20 apply.log >&2; exit 1; }
    t1=$(date +%s.%N)
    /usr/bin/time -o plan.time -f '%U %S' "$tf" plan -detailed-exitcode -input=false -no-color >plan.log 2>&1 ||
      { tail -n 20 plan.log >&2; exit 1; }
    t2=$(date +%s.%N)
    echo "$shape: $(($(grep -c 'count = var.sites' main.tf) * SITES)) resources, apply $(seconds "$t0" "$t1") s (CPU $(cpu apply.time) s), plan with no changes $(seconds "$t1" "$t2") s (CPU $(cpu plan.time) s), state $(($(stat -c %s terraform.tfstate) / 1024)) KiB"
  )
done

#!/usr/bin/env bash
# Terraform's own floor for bench/terraform.sh: apply and plan of the same number of resources
# (3 * SITES) made of the built-in terraform_data, with local state, at the default parallelism.
# No provider, no server, no network: whatever this takes, no provider can take less.
#
#   bench/terraform_floor.sh              # SITES=1000, SHAPES="tiny site independent"
#
# Shapes (bench/terraform-floor/SHAPE.tf): `tiny` stores a number per resource (the links still
# depend on their site, as in bench/terraform/main.tf); `site` stores about what the Patronus
# resources store (terraform_data keeps it twice, as input and output, so its state is the
# larger); `independent` is `tiny` without the dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."
SITES=${SITES:-1000} SHAPES=${SHAPES:-tiny site independent}
tf=${TERRAFORM:-$(command -v terraform || command -v tofu || true)}
[ -n "$tf" ] || { echo "no terraform or tofu on PATH (or set TERRAFORM)" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/patronus-tffloor.XXXXXX")
trap 'rm -rf "$work"' EXIT
touch "$work/terraformrc"
export TF_CLI_CONFIG_FILE=$work/terraformrc CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_VAR_sites=$SITES

echo "conditions: $(nproc) cores, $("$tf" version | head -n 1), local state, parallelism 10 (default), $((SITES * 3)) terraform_data resources"
seconds() { python3 -c "print(f'{$2 - $1:.1f}')"; }
for shape in $SHAPES; do
  dir=$work/$shape
  mkdir -p "$dir" && cp "bench/terraform-floor/$shape.tf" "$dir/main.tf"
  (
    cd "$dir"
    "$tf" init -input=false -no-color >/dev/null
    t0=$(date +%s.%N)
    "$tf" apply -auto-approve -input=false -no-color >apply.log 2>&1 || { tail -n 20 apply.log >&2; exit 1; }
    t1=$(date +%s.%N)
    "$tf" plan -detailed-exitcode -input=false -no-color >plan.log 2>&1 || { tail -n 20 plan.log >&2; exit 1; }
    t2=$(date +%s.%N)
    echo "$shape: apply $(seconds "$t0" "$t1") s, plan with no changes $(seconds "$t1" "$t2") s, state $(($(stat -c %s terraform.tfstate) / 1024)) KiB"
  )
done

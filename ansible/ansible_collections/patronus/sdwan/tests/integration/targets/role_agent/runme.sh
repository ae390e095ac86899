#!/usr/bin/env bash
# The patronus.sdwan.agent role against this machine, with every path of the role under
# $OUTPUT_DIR/root so that nothing outside the test's directory is touched. systemd does not run
# here (PID 1 is not systemd), so the role runs with patronus_agent_manage_service=false and this
# script starts the unit's ExecStart line itself; see the collection README for what that leaves
# untested.
set -euo pipefail
: "${OUTPUT_DIR:?}" "${INVENTORY_PATH:?}"
play() { ansible-playbook -i "$INVENTORY_PATH" "$@"; }
# The server and tokens scripts/test-ansible wrote; ansible-test copies it next to the targets.
extra=(-e @../../integration_config.yml "$@")

recap_changed() {  # recap_changed LOG: the changed= count of testhost in the play recap
  sed -n 's/^testhost *: .*changed=\([0-9]*\).*/\1/p' "$1" | tail -n 1
}

agent_pid=""
cleanup() {
  [ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null && wait "$agent_pid" 2>/dev/null
  play cleanup.yml "${extra[@]}" >/dev/null || true
}
trap cleanup EXIT

play setup.yml "${extra[@]}"

# The directories any Linux host has already.
root="$OUTPUT_DIR/root"
mkdir -p "$root/usr/local/bin" "$root/var/lib" "$root/etc/systemd/system"

echo "== check mode on a fresh host: reports changes, writes nothing"
play apply.yml --check "${extra[@]}" | tee "$OUTPUT_DIR/check.log"
[ "$(recap_changed "$OUTPUT_DIR/check.log")" -gt 0 ]
for f in usr/local/bin/patronus-agent var/lib/patronus-agent etc/systemd/system/patronus-agent.service; do
  [ ! -e "$root/$f" ] || { echo "check mode wrote $root/$f" >&2; exit 1; }
done

echo "== first run: install, enroll, unit"
play apply.yml "${extra[@]}" | tee "$OUTPUT_DIR/first.log"
[ "$(recap_changed "$OUTPUT_DIR/first.log")" -gt 0 ]

echo "== second run: nothing changes"
play apply.yml "${extra[@]}" | tee "$OUTPUT_DIR/second.log"
[ "$(recap_changed "$OUTPUT_DIR/second.log")" -eq 0 ] || { echo "the second run changed something" >&2; exit 1; }

echo "== the unit's ExecStart, run by hand (no systemd here), brings the site online"
unit="$root/etc/systemd/system/patronus-agent.service"
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
read -r -a argv <<<"$exec_start"
"${argv[@]}" >"$OUTPUT_DIR/agent.log" 2>&1 &
agent_pid=$!
play verify.yml "${extra[@]}" || { cat "$OUTPUT_DIR/agent.log" >&2; exit 1; }
kill "$agent_pid"; wait "$agent_pid" 2>/dev/null || true; agent_pid=""

echo "== the server revoked the agent: the role enrolls again, then is idempotent again"
play revoke.yml "${extra[@]}"
play apply.yml "${extra[@]}" | tee "$OUTPUT_DIR/reenroll.log"
grep -A1 'TASK \[patronus.sdwan.agent : Enroll with the token\]' "$OUTPUT_DIR/reenroll.log" | grep -q '^changed: \[testhost\]'
[ "$(recap_changed "$OUTPUT_DIR/reenroll.log")" -gt 0 ]
play apply.yml "${extra[@]}" | tee "$OUTPUT_DIR/third.log"
[ "$(recap_changed "$OUTPUT_DIR/third.log")" -eq 0 ]

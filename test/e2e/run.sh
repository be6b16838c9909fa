#!/usr/bin/env bash
# Host-side driver: bring the test cluster up, run the checks in every VM, print a PASS/FAIL
# summary. Keeps the VMs for debugging with NODEADM_KEEP=1; otherwise destroys them.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
status=0
vagrant up --provision-with node,build,init || status=1
for vm in $(vagrant status --machine-readable | awk -F, '$3 == "state" && $4 == "running" {print $2}'); do
  echo "== $vm"
  vagrant provision "$vm" --provision-with e2e 2>&1 | tee "e2e-$vm.log" | grep -E '^\s*(default|[a-z0-9-]+): (PASS|FAIL|[0-9]+ passed)' || true
  grep -qE '(^|: )FAIL ' "e2e-$vm.log" && status=1
  grep -qE ' 0 failed' "e2e-$vm.log" || status=1
done
if [ "${NODEADM_KEEP:-0}" != 1 ]; then vagrant destroy -f; fi
if [ "$status" -eq 0 ]; then echo "e2e: PASS"; else echo "e2e: FAIL (logs: e2e-*.log; in the VMs: /var/log/nodeadm-e2e)"; fi
exit "$status"

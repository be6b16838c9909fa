#!/usr/bin/env bash
# Shared helpers for the checks that run inside the test VMs.
set -uo pipefail

NODEADM=${NODEADM:-/nodeadm/bin/nodeadm.js}
LOGDIR=${LOGDIR:-/var/log/nodeadm-e2e}
export KUBECONFIG=${KUBECONFIG:-/etc/kubernetes/admin.conf}
passed=0
failed=0
mkdir -p "$LOGDIR"

nodeadm() { node "$NODEADM" "$@"; }

# collect_logs NAME: what a failure report needs, in $LOGDIR/NAME/.
collect_logs() {
  local dir="$LOGDIR/$1"
  mkdir -p "$dir"
  crictl ps -a >"$dir/crictl-ps.txt" 2>&1 || true
  journalctl -u kubelet -n 300 --no-pager >"$dir/kubelet.log" 2>&1 || true
  ls -la /etc/kubernetes/manifests >"$dir/manifests.txt" 2>&1 || true
  kubectl get pods -A -o wide >"$dir/pods.txt" 2>&1 || true
  kubectl get events -A --sort-by=.lastTimestamp >"$dir/events.txt" 2>&1 || true
  nodeadm status >"$dir/status.txt" 2>&1 || true
}

# check NAME COMMAND...: runs COMMAND; prints PASS or FAIL (and collects logs).
check() {
  local name=$1
  shift
  if "$@" >"$LOGDIR/$name.out" 2>&1; then
    echo "PASS $name"
    passed=$((passed + 1))
  else
    echo "FAIL $name (output: $LOGDIR/$name.out, logs: $LOGDIR/$name/)"
    collect_logs "$name"
    failed=$((failed + 1))
  fi
}

# retry SECONDS COMMAND...: until COMMAND succeeds or SECONDS pass.
retry() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    [ "$SECONDS" -ge "$deadline" ] && return 1
    sleep 2
  done
}

summary() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}

#!/usr/bin/env bash
# Provisioning step "e2e" of a standalone VM: a kubelet with no control plane runs static pods.
# shellcheck source=test/e2e/lib.sh
source "$(dirname "$0")/lib.sh"

kubelet_healthy() { curl -fsS http://127.0.0.1:10248/healthz; }

pod_add_remove() {
  local file=/tmp/e2e-web.yaml
  cat >"$file" <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: e2e-web
spec:
  containers:
    - name: web
      image: registry.k8s.io/pause:3.10
YAML
  nodeadm pod add "$file" --yes || return 1
  retry 180 test -n "$(crictl ps --name web -q)" || return 1
  crictl ps --name web
  nodeadm pod remove e2e-web --yes || return 1
  retry 120 test -z "$(crictl ps --name web -q)"
}

deployment_refused() {
  local out
  out=$(printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n' | nodeadm pod add - 2>&1)
  [ $? -eq 2 ] && echo "$out" | grep -qi 'pod'
}

check kubelet-healthy kubelet_healthy
check pod-add-runs-container-pod-remove-stops-it pod_add_remove
check deployment-refused deployment_refused
summary

#!/usr/bin/env bash
# Provisioning step "e2e" of a control-plane VM: does the static-pod control plane really work?
# Each check prints PASS or FAIL; logs of a failure go to $LOGDIR/<check>/.
# shellcheck source=test/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
node_name=$(hostname)
scheduler=${NODEADM_SCHEDULER:-bin-packer}

mirror_pods_ready() {
  local pod
  for pod in etcd kube-apiserver kube-controller-manager kube-scheduler "kube-scheduler-$scheduler"; do
    kubectl -n kube-system wait --for=condition=Ready "pod/$pod-$node_name" --timeout=300s || return 1
  done
}

pod_yaml() { # pod_yaml NAME SCHEDULER
  cat <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: $1
spec:
  schedulerName: $2
  tolerations: [{operator: Exists}]
  containers:
    - name: pause
      image: registry.k8s.io/pause:3.10
YAML
}

scheduled_by_extra() {
  pod_yaml e2e-extra "$scheduler" | kubectl apply -f - || return 1
  kubectl wait --for=condition=PodScheduled pod/e2e-extra --timeout=120s || return 1
  local source
  source=$(kubectl get events --field-selector involvedObject.name=e2e-extra,reason=Scheduled -o jsonpath='{.items[*].source.component}{.items[*].reportingComponent}')
  echo "scheduled by: $source"
  [[ "$source" == *"$scheduler"* ]]
}

unknown_scheduler_pending() {
  pod_yaml e2e-nobody nobody-scheduler | kubectl apply -f - || return 1
  sleep 20
  [ "$(kubectl get pod e2e-nobody -o jsonpath='{.status.phase}/{.spec.nodeName}')" = "Pending/" ]
}

static_container_id() { crictl ps --name "$1" -q | head -n 1; }

static_pod_lifecycle() {
  local file=/tmp/e2e-static.yaml before after
  pod_yaml e2e-static default-scheduler | sed '/schedulerName/d' >"$file"
  nodeadm pod add "$file" --yes || return 1
  retry 120 kubectl get "pod/e2e-static-$node_name" || return 1
  retry 120 test -n "$(static_container_id pause)" || return 1
  before=$(crictl pods --name "e2e-static-$node_name" -q)
  # Editing the manifest makes the kubelet recreate the pod.
  sed -i 's/name: pause/name: pause2/' "$file"
  nodeadm pod add "$file" --yes || return 1
  retry 120 test -n "$(static_container_id pause2)" || return 1
  after=$(crictl pods --name "e2e-static-$node_name" -q)
  echo "sandbox before $before, after $after"
  [ "$before" != "$after" ] || return 1
  # kubectl delete of the mirror pod does not stop the static pod.
  kubectl delete "pod/e2e-static-$node_name" --wait=false || return 1
  sleep 10
  [ "$(static_container_id pause2)" != "" ] || return 1
  retry 60 kubectl get "pod/e2e-static-$node_name" || return 1
  # Removing the manifest removes the pod.
  nodeadm pod remove e2e-static --yes || return 1
  retry 120 test -z "$(crictl pods --name "e2e-static-$node_name" -q)"
}

renew_then_answers() {
  nodeadm certs renew all --yes || return 1
  retry 300 kubectl get --raw /readyz
}

reset_then_init() {
  local address
  address=$(awk '$1 == "advertiseAddress:" {print $2}' /etc/kubernetes/nodeadm/config.yaml)
  nodeadm reset --yes || return 1
  [ ! -e /etc/kubernetes/manifests/kube-apiserver.yaml ] || return 1
  NODEADM_ADDRESS=$address bash "$(dirname "$0")/init-cp.sh" || return 1
  retry 300 kubectl get --raw /readyz
}

check mirror-pods-ready mirror_pods_ready
check pod-scheduled-by-extra-scheduler scheduled_by_extra
check pod-with-unknown-scheduler-stays-pending unknown_scheduler_pending
check static-pod-edit-recreate-delete static_pod_lifecycle
check certs-renew-all renew_then_answers
check reset-then-init reset_then_init
kubectl delete pod e2e-extra e2e-nobody --ignore-not-found --wait=false >/dev/null 2>&1
summary

#!/usr/bin/env bash
# Provisioning step "init" of a control-plane VM. NODEADM_EXTRA lets CI run the same commands
# as a dry run against a folder (--dry-run --root DIR).
set -euo pipefail
NODEADM=${NODEADM:-/nodeadm/bin/nodeadm.js}
read -r -a extra <<<"${NODEADM_EXTRA:-}"
version=()
if [ -n "${NODEADM_K8S:-}" ]; then version=(--kubernetes-version "$NODEADM_K8S"); fi
node "$NODEADM" init --yes --prepare-host \
  --advertise-address "${NODEADM_ADDRESS:?}" \
  --pod-subnet 10.244.0.0/16 \
  --extra-scheduler "${NODEADM_SCHEDULER:-bin-packer}" \
  --allow-schedule-on-control-plane \
  "${version[@]}" "${extra[@]}"
